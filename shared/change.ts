/**
 * The shapes that travel down the pipeline, after the trigger and payload-format stages:
 * a problem list for anything rejected, and the normalized change that the planner and the EIAM client use.
 */

/** One thing wrong with an input, named by the path of the field it concerns. */
export interface Problem {
  /** Dotted path into the input, e.g. `changes.phone` or `user.userId`; `""` for the whole input. */
  path: string;
  /** Stable machine-readable code, e.g. `too_long`, `invalid_phone`, `required`. */
  code: string;
  /** A sentence for a human that names the rule that was broken. */
  message: string;
}

/** How an event says which EIAM user it is about. Exactly one key is used to resolve the user. */
export interface UserKey {
  userId?: string;
  externalId?: { id: string; sourceType?: string; sourceId?: string };
  email?: string;
  phone?: PhoneNumber;
  username?: string;
}

export interface PhoneNumber {
  /** Country calling code, digits only, no `+` or `00` (EIAM `PhoneRegion`). */
  region: string;
  /** National significant number, 6–15 digits (EIAM `PhoneNumber`). */
  number: string;
}

/**
 * The fields to write, already normalized to what UpdateUser accepts.
 * A key that is absent is not touched; in `customFields` a `null` value removes the field.
 */
export interface NormalizedFields {
  username?: string;
  displayName?: string;
  email?: string;
  emailVerified?: boolean;
  phone?: PhoneNumber;
  phoneVerified?: boolean;
  customFields?: Record<string, string | null>;
}

/** An EIAM organizational unit, by its id, its external id or its (exact) name. */
export type OrganizationalUnitRef = { id: string } | { externalId: string } | { name: string };

/** Status and organizational-unit changes: applied with their own EIAM actions, not UpdateUser. */
export interface NormalizedLifecycle {
  status?: "enabled" | "disabled";
  /** The source deleted the user and DELETE_MEANS=delete: DeleteUser. */
  delete?: true;
  primaryOrganizationalUnit?: OrganizationalUnitRef;
  organizationalUnits?: { add: OrganizationalUnitRef[]; remove: OrganizationalUnitRef[] };
}

export interface NormalizedChange {
  /** The producer's event id (stable across redeliveries). */
  eventId: string;
  /** The producer, e.g. `workday`; part of the idempotency key. */
  source?: string;
  /** When the change happened at the source, RFC 3339 as given. */
  occurredAt: string;
  /** `occurredAt` as epoch milliseconds, for ordering. */
  occurredAtMs: number;
  user: UserKey;
  fields: NormalizedFields;
  /** Absent when the event changes neither status nor organizational units. */
  lifecycle?: NormalizedLifecycle;
}
