import { invalidParameter } from "./errors.ts";

/** Business parameters after un-flattening `Name.N.Field` keys (N is 1-based on the wire). */
export type ParamValue = string | ParamValue[] | ParamObject;
export interface ParamObject {
  [key: string]: ParamValue;
}

interface Node {
  value?: string;
  children: Map<string, Node>;
}

const LIST_INDEX = /^[1-9][0-9]*$/;

/**
 * `{"CustomFields.1.FieldName": "a", "UserIds.2": "u"}` → `{CustomFields: [{FieldName: "a"}], UserIds: ["u"]}`.
 * Indices are ordered numerically; gaps are closed (be liberal in what we accept).
 */
export function unflattenParams(flat: Readonly<Record<string, string>>): ParamObject {
  const root: Node = { children: new Map() };
  for (const [key, value] of Object.entries(flat)) {
    const segments = key.split(".");
    if (segments.some((segment) => segment === "")) {
      throw invalidParameter(segments[0] || key, `Parameter name "${key}" has an empty segment.`);
    }
    let node = root;
    for (const segment of segments) {
      let child = node.children.get(segment);
      if (!child) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.value = value;
  }
  const result: ParamObject = {};
  for (const [name, node] of root.children) {
    result[name] = toValue(node, name);
  }
  return result;
}

function toValue(node: Node, path: string): ParamValue {
  if (node.children.size === 0) return node.value ?? "";
  const topName = path.split(".")[0] ?? path;
  if (node.value !== undefined) {
    throw invalidParameter(
      topName,
      `Parameter "${path}" is sent both as a single value and as a list or object.`,
    );
  }
  const keys = [...node.children.keys()];
  const numeric = keys.filter((key) => LIST_INDEX.test(key));
  if (numeric.length === keys.length) {
    return numeric
      .sort((a, b) => Number(a) - Number(b))
      .map((key) => toValue(node.children.get(key)!, `${path}.${key}`));
  }
  if (numeric.length > 0) {
    throw invalidParameter(topName, `Parameter "${path}" mixes list indices and field names.`);
  }
  const object: ParamObject = {};
  for (const [key, child] of node.children) {
    object[key] = toValue(child, `${path}.${key}`);
  }
  return object;
}
