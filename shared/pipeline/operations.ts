/**
 * From a planned change to the ordered EIAM operations that carry it out. Pure: OU references are already
 * resolved to ids, and the plan (plan.ts) already dropped what is stale or unchanged.
 *
 * Order: CreateUser · EnableUser · UpdateUser · SetUserPrimaryOrganizationalUnit · AddUserToOrganizationalUnits ·
 * RemoveUserFromOrganizationalUnits · DisableUser · DeleteUser. A re-hire is enabled before anything else is
 * written; a leaver's other changes are written before the user is disabled or deleted.
 */
import { createHash } from "node:crypto";
import type { NormalizedChange, NormalizedFields } from "../change.ts";
import type {
  CreateUserParams,
  OrganizationalUnitsParams,
  SetPrimaryOrganizationalUnitParams,
  UpdateUserParams,
  UserRef,
} from "../eiam/types.ts";
import { canonicalJson } from "../idempotency/keys.ts";
import { type FieldUnit, fieldUnits, isEmpty, type Plan, toUpdateUserParams } from "./plan.ts";

/** At most this many OU ids in one Add/RemoveUserFromOrganizationalUnits call. */
export const OU_IDS_PER_CALL = 100;

export const STATUS_UNIT = "status";
export const PRIMARY_OU_UNIT = "primaryOrganizationalUnit";
export const membershipUnit = (ouId: string) => `organizationalUnits.${ouId}`;

/** The lifecycle part of a change with every OU reference turned into an id. */
export interface ResolvedLifecycle {
  status?: "enabled" | "disabled";
  delete?: true;
  primaryOrganizationalUnitId?: string;
  add: string[];
  remove: string[];
}

type Op<A extends string, P> = {
  action: A;
  params: P;
  /** Stable across redeliveries (action and exact parameters): the store remembers done operations by it. */
  id: string;
  /** The versioned units this operation writes; recorded once it succeeded. */
  units: string[];
};

export type Operation =
  | Op<"CreateUser", CreateUserParams>
  | Op<"UpdateUser", UpdateUserParams>
  | Op<"EnableUser" | "DisableUser" | "DeleteUser", UserRef>
  | Op<"SetUserPrimaryOrganizationalUnit", SetPrimaryOrganizationalUnitParams>
  | Op<"AddUserToOrganizationalUnits" | "RemoveUserFromOrganizationalUnits", OrganizationalUnitsParams>;

export type OperationAction = Operation["action"];

function operation<O extends Operation>(action: O["action"], params: O["params"], units: string[]): O {
  const digest = createHash("sha256").update(canonicalJson(params)).digest("base64url").slice(0, 22);
  return { action, params, id: `${action}:${digest}`, units } as O;
}

/** Versioned units for status and memberships; they write nothing into the UpdateUser fields. */
export function lifecycleUnits(lifecycle: ResolvedLifecycle): FieldUnit[] {
  const units: FieldUnit[] = [];
  const unit = (name: string, value: string): FieldUnit => ({
    name,
    apply: () => undefined,
    valueHash: createHash("sha256").update(value).digest("base64url").slice(0, 22),
  });
  if (lifecycle.delete) units.push(unit(STATUS_UNIT, "deleted"));
  else if (lifecycle.status !== undefined) units.push(unit(STATUS_UNIT, lifecycle.status));
  if (lifecycle.primaryOrganizationalUnitId !== undefined) {
    units.push(unit(PRIMARY_OU_UNIT, lifecycle.primaryOrganizationalUnitId));
  }
  for (const id of lifecycle.add) units.push(unit(membershipUnit(id), "member"));
  for (const id of lifecycle.remove) units.push(unit(membershipUnit(id), "not-member"));
  return units;
}

export function unitsOf(change: NormalizedChange, lifecycle: ResolvedLifecycle): FieldUnit[] {
  return [...fieldUnits(change.fields), ...lifecycleUnits(lifecycle)];
}

function chunks(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += OU_IDS_PER_CALL) out.push(ids.slice(i, i + OU_IDS_PER_CALL));
  return out;
}

/** The operations for an existing user, in order; only what the plan says to write. */
export function operationsForUser(
  instanceId: string,
  userId: string,
  plan: Plan,
  lifecycle: ResolvedLifecycle,
): Operation[] {
  const written = new Set(plan.written);
  const user: UserRef = { InstanceId: instanceId, UserId: userId };
  const ops: Operation[] = [];
  const statusWritten = written.has(STATUS_UNIT);
  if (statusWritten && lifecycle.status === "enabled") ops.push(operation("EnableUser", user, [STATUS_UNIT]));
  if (!isEmpty(plan.write)) {
    const fieldNames = plan.written.filter((name) => name !== STATUS_UNIT && !isLifecycleUnit(name));
    ops.push(operation("UpdateUser", toUpdateUserParams(instanceId, userId, plan.write), fieldNames));
  }
  if (written.has(PRIMARY_OU_UNIT) && lifecycle.primaryOrganizationalUnitId !== undefined) {
    ops.push(
      operation(
        "SetUserPrimaryOrganizationalUnit",
        { ...user, OrganizationalUnitId: lifecycle.primaryOrganizationalUnitId },
        [PRIMARY_OU_UNIT],
      ),
    );
  }
  for (const [action, ids] of [
    ["AddUserToOrganizationalUnits", lifecycle.add],
    ["RemoveUserFromOrganizationalUnits", lifecycle.remove],
  ] as const) {
    for (const chunk of chunks(ids.filter((id) => written.has(membershipUnit(id))))) {
      ops.push(operation(action, { ...user, OrganizationalUnitIds: chunk }, chunk.map(membershipUnit)));
    }
  }
  if (statusWritten && lifecycle.delete) ops.push(operation("DeleteUser", user, [STATUS_UNIT]));
  else if (statusWritten && lifecycle.status === "disabled") {
    ops.push(operation("DisableUser", user, [STATUS_UNIT]));
  }
  return ops;
}

function isLifecycleUnit(name: string): boolean {
  return name === STATUS_UNIT || name === PRIMARY_OU_UNIT || name.startsWith("organizationalUnits.");
}

/** ASCII, at most 64 characters, the same for every redelivery of the event: a retried CreateUser makes one user. */
export function clientTokenFor(idempotencyKey: string): string {
  return `eus-${createHash("sha256").update(idempotencyKey).digest("base64url")}`;
}

export interface NewUser {
  instanceId: string;
  idempotencyKey: string;
  /** The event's primary OU, else DEFAULT_ORGANIZATIONAL_UNIT_ID. */
  primaryOrganizationalUnitId: string;
  /** The username to create (given, or derived by USERNAME_RULE). */
  username: string;
}

/**
 * A joiner: one CreateUser with everything the event says (a user created enabled needs no EnableUser, and
 * removing memberships of a new user changes nothing). Custom fields set to null are left out.
 */
export function operationsForNewUser(
  change: NormalizedChange,
  lifecycle: ResolvedLifecycle,
  user: NewUser,
): Operation[] {
  const fields: NormalizedFields = change.fields;
  const params: CreateUserParams = {
    InstanceId: user.instanceId,
    Username: user.username,
    PrimaryOrganizationalUnitId: user.primaryOrganizationalUnitId,
    ClientToken: clientTokenFor(user.idempotencyKey),
  };
  if (fields.displayName !== undefined) params.DisplayName = fields.displayName;
  const email = fields.email ?? change.user.email;
  if (email !== undefined) {
    params.Email = email;
    params.EmailVerified = fields.email !== undefined ? (fields.emailVerified ?? true) : true;
  }
  const phone = fields.phone ?? change.user.phone;
  if (phone !== undefined) {
    params.PhoneRegion = phone.region;
    params.PhoneNumber = phone.number;
    params.PhoneNumberVerified = fields.phone !== undefined ? (fields.phoneVerified ?? true) : true;
  }
  if (change.user.externalId !== undefined) params.UserExternalId = change.user.externalId.id;
  const others = lifecycle.add.filter((id) => id !== user.primaryOrganizationalUnitId);
  if (others.length > 0) params.OrganizationalUnitIds = others;
  const custom = Object.entries(fields.customFields ?? {}).filter(
    (entry): entry is [string, string] => entry[1] !== null,
  );
  if (custom.length > 0)
    params.CustomFields = custom.map(([FieldName, FieldValue]) => ({ FieldName, FieldValue }));
  const units = unitsOf(change, lifecycle).map((u) => u.name);
  return [operation("CreateUser", params, units)];
}
