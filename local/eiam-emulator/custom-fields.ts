/** A custom field as defined in the EIAM console; values must satisfy it. */
export interface CustomFieldDefinition {
  fieldName: string;
  maxLength?: number;
  /** A JavaScript regular expression the WHOLE value must match. */
  pattern?: string;
}

/** Values of fields defined without `maxLength` are still capped (UNCONFIRMED limit, see README). */
export const DEFAULT_CUSTOM_FIELD_MAX_LENGTH = 1024;

export class CustomFieldCatalog {
  private readonly definitions = new Map<string, { definition: CustomFieldDefinition; regex?: RegExp }>();

  /** Defines or redefines a field. Throws on a bad definition. */
  define(definition: CustomFieldDefinition): CustomFieldDefinition {
    const { fieldName, maxLength, pattern } = definition;
    if (typeof fieldName !== "string" || !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(fieldName)) {
      throw new Error(
        `customField.fieldName must be 1-64 letters, digits or "_", starting with a letter (got ${JSON.stringify(fieldName)}).`,
      );
    }
    if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1)) {
      throw new Error(`customField.maxLength of ${fieldName} must be a positive integer (got ${maxLength}).`);
    }
    let regex: RegExp | undefined;
    if (pattern !== undefined) {
      try {
        regex = new RegExp(`^(?:${pattern})$`);
      } catch (error) {
        throw new Error(
          `customField.pattern of ${fieldName} is not a valid regular expression: ${String(error)}`,
        );
      }
    }
    const copy: CustomFieldDefinition = {
      fieldName,
      ...(maxLength !== undefined ? { maxLength } : {}),
      ...(pattern !== undefined ? { pattern } : {}),
    };
    this.definitions.set(fieldName, regex ? { definition: copy, regex } : { definition: copy });
    return { ...copy };
  }

  get(fieldName: string): CustomFieldDefinition | undefined {
    const entry = this.definitions.get(fieldName);
    return entry ? { ...entry.definition } : undefined;
  }

  list(): CustomFieldDefinition[] {
    return [...this.definitions.values()].map((entry) => ({ ...entry.definition }));
  }

  clear(): void {
    this.definitions.clear();
  }

  /** Returns the broken rule as text, or undefined when the value is acceptable. */
  violation(fieldName: string, value: string): string | undefined {
    const entry = this.definitions.get(fieldName);
    if (!entry) return `custom field "${fieldName}" is not defined in this instance`;
    const maxLength = entry.definition.maxLength ?? DEFAULT_CUSTOM_FIELD_MAX_LENGTH;
    if ([...value].length > maxLength)
      return `the value of "${fieldName}" must be at most ${maxLength} characters`;
    if (entry.regex && !entry.regex.test(value)) {
      return `the value of "${fieldName}" must match the pattern ${entry.definition.pattern}`;
    }
    return undefined;
  }
}
