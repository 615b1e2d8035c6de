/**
 * What EIAM must hold at the end: for each user and field, the value of the newest valid event that touched
 * it, newest by (occurredAt, event id) — field-level last-writer-wins — else the seeded value.
 */
import {
  type ChaosPlan,
  type ChaosUser,
  FIELD_NAMES,
  type FieldName,
  type FieldValue,
} from "./chaos-plan.ts";

export interface ExpectedUser {
  userId: string;
  displayName: string;
  email: string;
  phoneRegion?: string;
  phoneNumber?: string;
  customFields: Record<string, string>;
}

/** The same order the function's field versions use: time first, then the event id byte by byte. */
function newer(a: { occurredAtMs: number; key: string }, b: { occurredAtMs: number; key: string }): boolean {
  if (a.occurredAtMs !== b.occurredAtMs) return a.occurredAtMs > b.occurredAtMs;
  return Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) > 0;
}

export function expectedUsers(plan: ChaosPlan): ExpectedUser[] {
  const winners = new Map<string, { occurredAtMs: number; key: string; value: FieldValue }>();
  for (const event of plan.events) {
    if (event.kind !== "valid" || event.userIndex === undefined) continue;
    for (const field of FIELD_NAMES) {
      if (!(field in event.fields)) continue;
      const slot = `${event.userIndex}/${field}`;
      const current = winners.get(slot);
      if (current === undefined || newer(event, current)) {
        winners.set(slot, { occurredAtMs: event.occurredAtMs, key: event.key, value: event.fields[field]! });
      }
    }
  }
  return plan.users.map((user, index) => {
    const won = (field: FieldName) => winners.get(`${index}/${field}`);
    return expectedUser(user, won);
  });
}

function expectedUser(
  user: ChaosUser,
  won: (field: FieldName) => { value: FieldValue } | undefined,
): ExpectedUser {
  const expected: ExpectedUser = {
    userId: user.userId,
    displayName: (won("displayName")?.value as string | undefined) ?? user.displayName,
    email: (won("email")?.value as string | undefined) ?? user.email,
    customFields: {},
  };
  const phone = won("phone")?.value as { region: string; number: string } | undefined;
  if (phone !== undefined) {
    expected.phoneRegion = phone.region;
    expected.phoneNumber = phone.number;
  }
  for (const field of ["department", "cost_center"] as const) {
    const value = won(field)?.value;
    if (typeof value === "string") expected.customFields[field] = value;
  }
  return expected;
}
