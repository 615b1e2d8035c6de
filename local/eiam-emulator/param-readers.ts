import { invalidParameter, missingParameter } from "./errors.ts";
import type { ParamObject, ParamValue } from "./params.ts";

/** Typed access to un-flattened business parameters; every failure names the wire field and the rule. */

export function readString(params: ParamObject, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalidParameter(name, `${name} must be a single string value.`);
  return value;
}

/** Required parameters treat an empty value as missing. */
export function requireString(params: ParamObject, name: string): string {
  const value = readString(params, name);
  if (value === undefined || value === "") throw missingParameter(name);
  return value;
}

export function readBoolean(params: ParamObject, name: string): boolean | undefined {
  const value = readString(params, name);
  if (value === undefined) return undefined;
  if (value === "true") return true;
  if (value === "false") return false;
  throw invalidParameter(name, `${name} must be a boolean: "true" or "false" (got "${value}").`);
}

export function readInteger(params: ParamObject, name: string, min: number, max: number): number | undefined {
  const value = readString(params, name);
  if (value === undefined) return undefined;
  if (!/^-?[0-9]+$/.test(value)) throw invalidParameter(name, `${name} must be an integer (got "${value}").`);
  const number = Number(value);
  if (number < min || number > max) {
    throw invalidParameter(name, `${name} must be between ${min} and ${max} (got ${value}).`);
  }
  return number;
}

/** A list sent as `Name.1`, `Name.2`…; a JSON array string is also accepted. */
export function readStringList(params: ParamObject, name: string): string[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const list = typeof value === "string" ? parseJsonList(value, name) : value;
  if (!Array.isArray(list)) throw invalidParameter(name, `${name} must be a list (${name}.1, ${name}.2, …).`);
  return list.map((item, index) => {
    if (typeof item !== "string") throw invalidParameter(name, `${name}.${index + 1} must be a string.`);
    return item;
  });
}

/** A list of objects sent as `Name.1.Field`…; a JSON array of objects is also accepted. */
export function readObjectList(params: ParamObject, name: string): ParamObject[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const list = typeof value === "string" ? parseJsonList(value, name) : value;
  if (!Array.isArray(list))
    throw invalidParameter(name, `${name} must be a list of objects (${name}.1.Field, …).`);
  return list.map((item, index) => {
    if (typeof item === "string" || Array.isArray(item)) {
      throw invalidParameter(name, `${name}.${index + 1} must be an object (${name}.${index + 1}.Field=…).`);
    }
    return item;
  });
}

function parseJsonList(text: string, name: string): ParamValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidParameter(name, `${name} must be a list (${name}.1, ${name}.2, …) or a JSON array.`);
  }
  return toParamValue(parsed, name);
}

function toParamValue(value: unknown, name: string): ParamValue {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map((item) => toParamValue(item, name));
  if (typeof value === "object" && value !== null) {
    const object: ParamObject = {};
    for (const [key, item] of Object.entries(value)) object[key] = toParamValue(item, name);
    return object;
  }
  throw invalidParameter(
    name,
    `${name} contains a value that is neither a string, number, boolean, list nor object.`,
  );
}
