/**
 * From a normalized change to the UpdateUser parameters, field by field:
 * last-writer-wins by (occurredAt, eventId) against the versions last applied, and no-op suppression
 * of values equal to the last applied ones. Pure: the caller reads and writes the versions.
 */
import type { NormalizedChange, NormalizedFields } from "../change.ts";
import type { UpdateUserParams } from "../eiam/types.ts";
import { compareVersions, fieldVersion, valueHash } from "../idempotency/keys.ts";
import type { FieldVersion } from "../idempotency/store.ts";

export type { FieldVersion };

/** One independently versioned unit: a built-in field (with its verified flag) or one custom field. */
export interface FieldUnit {
  name: string;
  apply(target: NormalizedFields): void;
  valueHash: string;
}

function unit(name: string, value: unknown, apply: (t: NormalizedFields) => void): FieldUnit {
  return { name, apply, valueHash: valueHash(value) };
}

export function fieldUnits(fields: NormalizedFields): FieldUnit[] {
  const units: FieldUnit[] = [];
  const { username, displayName, email, emailVerified, phone, phoneVerified, customFields } = fields;
  if (username !== undefined) units.push(unit("username", username, (t) => (t.username = username)));
  if (displayName !== undefined)
    units.push(unit("displayName", displayName, (t) => (t.displayName = displayName)));
  if (email !== undefined) {
    units.push(
      unit("email", [email, emailVerified], (t) => {
        t.email = email;
        t.emailVerified = emailVerified;
      }),
    );
  }
  if (phone !== undefined) {
    units.push(
      unit("phone", [phone.region, phone.number, phoneVerified], (t) => {
        t.phone = phone;
        t.phoneVerified = phoneVerified;
      }),
    );
  }
  for (const [name, value] of Object.entries(customFields ?? {})) {
    units.push(
      unit(`customFields.${name}`, value, (t) => {
        t.customFields = { ...t.customFields, [name]: value };
      }),
    );
  }
  return units;
}

/** The version every field of this change is written at (see `compareVersions` for the order). */
export function fieldVersionOf(change: Pick<NormalizedChange, "occurredAtMs" | "eventId">): string {
  return fieldVersion(change.occurredAtMs, change.eventId);
}

export interface Plan {
  /** What to send; empty when nothing is left to write. */
  write: NormalizedFields;
  written: string[];
  /** Fields a newer change already wrote. */
  stale: string[];
  /** Fields whose last applied value equals this one. */
  unchanged: string[];
  /** The versions to record once the write succeeded (written and unchanged fields). */
  versions: Record<string, FieldVersion>;
}

export function planChange(
  change: NormalizedChange,
  stored: Readonly<Record<string, FieldVersion | undefined>>,
  units: readonly FieldUnit[] = fieldUnits(change.fields),
): Plan {
  const version = fieldVersionOf(change);
  const plan: Plan = { write: {}, written: [], stale: [], unchanged: [], versions: {} };
  for (const u of units) {
    const last = stored[u.name];
    if (last !== undefined && compareVersions(last.version, version) > 0) {
      plan.stale.push(u.name);
      continue;
    }
    plan.versions[u.name] = { version, valueHash: u.valueHash };
    if (last !== undefined && last.valueHash === u.valueHash) {
      plan.unchanged.push(u.name);
      continue;
    }
    u.apply(plan.write);
    plan.written.push(u.name);
  }
  return plan;
}

export function isEmpty(fields: NormalizedFields): boolean {
  return Object.keys(fields).length === 0;
}

/** The exact UpdateUser parameters for a set of normalized fields. */
export function toUpdateUserParams(
  instanceId: string,
  userId: string,
  fields: NormalizedFields,
): UpdateUserParams {
  const params: UpdateUserParams = { InstanceId: instanceId, UserId: userId };
  if (fields.username !== undefined) params.Username = fields.username;
  if (fields.displayName !== undefined) params.DisplayName = fields.displayName;
  if (fields.email !== undefined) {
    params.Email = fields.email;
    params.EmailVerified = fields.emailVerified ?? false;
  }
  if (fields.phone !== undefined) {
    params.PhoneRegion = fields.phone.region;
    params.PhoneNumber = fields.phone.number;
    params.PhoneNumberVerified = fields.phoneVerified ?? false;
  }
  const custom = Object.entries(fields.customFields ?? {});
  if (custom.length > 0) {
    params.CustomFields = custom.map(([FieldName, value]) =>
      value === null
        ? { FieldName, Operation: "remove" as const }
        : { FieldName, FieldValue: value, Operation: "replace" as const },
    );
  }
  return params;
}
