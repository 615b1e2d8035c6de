import type { CustomFieldCatalog } from "./custom-fields.ts";
import { ApiError, invalidParameter, missingParameter } from "./errors.ts";
import { readObjectList } from "./param-readers.ts";
import type { ParamObject } from "./params.ts";

export type CustomFieldOperation = "add" | "replace" | "remove";
const OPERATIONS: readonly string[] = ["add", "replace", "remove"];

export interface CustomFieldChange {
  /** e.g. `CustomFields.2`, for messages. */
  wireName: string;
  fieldName: string;
  operation: CustomFieldOperation;
  value?: string;
}

/**
 * Reads and validates `CustomFields.N.{FieldName,FieldValue,Operation}`.
 * UpdateUser requires Operation; CreateUser has none (every item is an add).
 */
export function readCustomFieldChanges(
  params: ParamObject,
  catalog: CustomFieldCatalog,
  mode: "update" | "create",
): CustomFieldChange[] {
  const items = readObjectList(params, "CustomFields") ?? [];
  const seen = new Set<string>();
  return items.map((item, index) => {
    const wireName = `CustomFields.${index + 1}`;
    const text = (name: string): string | undefined => {
      const value = item[name];
      if (value === undefined || value === "") return undefined;
      if (typeof value !== "string") {
        throw invalidParameter(`CustomFields.${name}`, `${wireName}.${name} must be a single string value.`);
      }
      return value;
    };
    const fieldName = text("FieldName");
    if (fieldName === undefined) {
      throw missingParameter("CustomFields.FieldName", `${wireName}.FieldName is required.`);
    }
    if (catalog.get(fieldName) === undefined) {
      throw invalidParameter(
        "CustomFields.FieldName",
        `${wireName}.FieldName "${fieldName}" is not a custom field defined in this instance.`,
      );
    }
    if (seen.has(fieldName)) {
      throw invalidParameter(
        "CustomFields.FieldName",
        `${wireName}.FieldName "${fieldName}" appears more than once in CustomFields.`,
      );
    }
    seen.add(fieldName);

    const operation = mode === "create" ? "add" : text("Operation");
    if (operation === undefined) {
      throw missingParameter(
        "CustomFields.Operation",
        `${wireName}.Operation is required: one of add, replace, remove.`,
      );
    }
    if (!OPERATIONS.includes(operation)) {
      throw invalidParameter(
        "CustomFields.Operation",
        `${wireName}.Operation must be one of add, replace, remove; got "${operation}".`,
      );
    }
    const change: CustomFieldChange = { wireName, fieldName, operation: operation as CustomFieldOperation };
    if (operation === "remove") return change;

    const value = text("FieldValue");
    if (value === undefined) {
      throw missingParameter(
        "CustomFields.FieldValue",
        `${wireName}.FieldValue is required (and must not be empty) for Operation ${operation}.`,
      );
    }
    const violation = catalog.violation(fieldName, value);
    if (violation !== undefined) {
      throw invalidParameter("CustomFields.FieldValue", `${wireName}.FieldValue is invalid: ${violation}.`);
    }
    return { ...change, value };
  });
}

/** Returns the new values; `add` on a field that already has a value is refused. */
export function applyCustomFieldChanges(
  current: Readonly<Record<string, string>>,
  changes: readonly CustomFieldChange[],
): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const change of changes) {
    if (change.operation === "remove") {
      delete next[change.fieldName];
      continue;
    }
    if (change.operation === "add" && Object.hasOwn(next, change.fieldName)) {
      throw new ApiError(
        403,
        "ResourceDuplicated.CustomFieldValue",
        `${change.wireName}: custom field "${change.fieldName}" already has a value; use Operation replace to change it.`,
      );
    }
    next[change.fieldName] = change.value ?? "";
  }
  return next;
}
