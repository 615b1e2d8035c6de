import type { Problem } from "../change.ts";
import { accept, makeProblem, type RuleResult, reject } from "./problem.ts";
import { codePointLength, findControlChar, invisibleCharProblem } from "./text.ts";

/** A custom field name: a letter, then up to 63 letters, digits or underscores. */
export const CUSTOM_FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const CUSTOM_FIELD_NAME_RULE = "a letter followed by up to 63 letters, digits or underscores";
export const CUSTOM_FIELD_VALUE_MAX_LENGTH = 1024;
/** Entries per event; a guard against hostile input, not an EIAM limit. */
export const CUSTOM_FIELDS_MAX_COUNT = 100;

export type CustomFieldInput = string | number | boolean | null;

/** A field name for use inside a problem path: very long (hostile) names are cut. */
export function pathSegment(name: string): string {
  return name.length > 80 ? `${name.slice(0, 64)}…` : name;
}

export function checkCustomFieldName(
  name: string,
  allowed: readonly string[] | undefined,
  path: string,
): RuleResult<string> {
  if (!CUSTOM_FIELD_NAME.test(name)) {
    return reject(path, "invalid_format", `${path}: a custom field name must be ${CUSTOM_FIELD_NAME_RULE}`);
  }
  if (allowed && !allowed.includes(name)) {
    const list = allowed.length === 0 ? "(none)" : allowed.join(", ");
    return reject(
      path,
      "not_allowed",
      `${path}: custom field ${name} is not in the allowed set (ALLOWED_CUSTOM_FIELDS): ${list}`,
    );
  }
  return accept(name);
}

/**
 * Stringifies a custom field value (numbers via `String`, booleans as `true`/`false`) and keeps strings as
 * given (no trimming); `null` stays `null`, meaning "remove the field".
 */
export function normalizeCustomFieldValue(value: CustomFieldInput, path: string): RuleResult<string | null> {
  if (value === null) return accept(null);
  if (typeof value === "boolean") return accept(value ? "true" : "false");
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return reject(path, "invalid_type", `${path} must be a finite number`);
    return accept(String(value));
  }
  // Cheap bound first: a string of more than 2 UTF-16 units per allowed code point is too long anyway.
  const length = value.length > CUSTOM_FIELD_VALUE_MAX_LENGTH * 2 ? undefined : codePointLength(value);
  if (length === undefined || length > CUSTOM_FIELD_VALUE_MAX_LENGTH) {
    return reject(
      path,
      "too_long",
      `${path} must be at most ${CUSTOM_FIELD_VALUE_MAX_LENGTH} characters; got ${length ?? `over ${CUSTOM_FIELD_VALUE_MAX_LENGTH}`}`,
    );
  }
  if (value.trim().length === 0) {
    return reject(path, "empty", `${path} must not be empty; use null to remove the field`);
  }
  const control = findControlChar(value);
  if (control)
    return reject(path, "invalid_chars", `${path} must not contain control characters; found ${control}`);
  const invisible = invisibleCharProblem(value, path);
  if (invisible) return { ok: false, problem: invisible };
  return accept(value);
}

export interface CustomFieldsOptions {
  allowedCustomFields?: readonly string[];
}

/** Checks every entry and collects all problems; `basePath` is e.g. `changes.customFields`. */
export function normalizeCustomFields(
  fields: Readonly<Record<string, CustomFieldInput>>,
  options: CustomFieldsOptions,
  basePath = "customFields",
): { ok: true; value: Record<string, string | null> } | { ok: false; problems: Problem[] } {
  const entries = Object.entries(fields);
  if (entries.length === 0) {
    return {
      ok: false,
      problems: [makeProblem(basePath, "no_changes", `${basePath} must name at least one field to change`)],
    };
  }

  if (entries.length > CUSTOM_FIELDS_MAX_COUNT) {
    return {
      ok: false,
      problems: [
        makeProblem(
          basePath,
          "too_many",
          `${basePath} must have at most ${CUSTOM_FIELDS_MAX_COUNT} entries; got ${entries.length}`,
        ),
      ],
    };
  }
  const value: Record<string, string | null> = {};
  const problems: Problem[] = [];
  for (const [name, raw] of entries) {
    const path = `${basePath}.${pathSegment(name)}`;
    const checkedName = checkCustomFieldName(name, options.allowedCustomFields, path);
    if (!checkedName.ok) problems.push(checkedName.problem);
    const checkedValue = normalizeCustomFieldValue(raw, path);
    if (!checkedValue.ok) problems.push(checkedValue.problem);
    else if (checkedName.ok) value[name] = checkedValue.value;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}
