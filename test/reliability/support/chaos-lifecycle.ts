/**
 * Status and organizational units in the chaos stream, kept apart from the field changes so that both grow
 * independently: what a valid event adds to its `changes`, and what EIAM must hold at the end.
 *
 * Primary OUs and membership OUs are disjoint sets, so the oracle stays exact: SetUserPrimaryOrganizationalUnit
 * also makes the user a member of the new primary OU, and which stale primaries were sent depends on the order of
 * delivery; memberships are therefore compared over the membership OUs only.
 */
import { createHash } from "node:crypto";
import type { Random } from "./seeded-random.ts";

const CHAOS_INSTANCE_ID = "idaas_chaos_test";

/** The root OU the emulator gives the instance (local/eiam-emulator/users.ts derives it the same way). */
function rootOu(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const digest = createHash("sha256").update(CHAOS_INSTANCE_ID).digest();
  let id = "ou_";
  for (let i = 0; i < 26; i += 1) id += alphabet[(digest[i] ?? 0) % alphabet.length];
  return id;
}

const ou = (kind: string, n: number) => ({
  organizationalUnitId: `ou_chaos${kind}${n}`.padEnd(29, "0"),
  name: `Chaos ${kind} ${n}`,
  externalId: `chaos-${kind}-${n}`,
});
export const PRIMARY_OUS = [1, 2, 3].map((n) => ou("primary", n));
export const MEMBERSHIP_OUS = [1, 2, 3].map((n) => ou("member", n));
export const CHAOS_ORGANIZATIONAL_UNITS = [...PRIMARY_OUS, ...MEMBERSHIP_OUS];

export interface LifecycleFields {
  status?: "enabled" | "disabled";
  primary?: string;
  /** Membership OU id → member after this event. */
  members?: Record<string, boolean>;
}

type Unit = (typeof CHAOS_ORGANIZATIONAL_UNITS)[number];

/** An OU by id, external id or name, so the lookups run too. */
function ref(rnd: Random, unit: Unit): Record<string, string> {
  const how = rnd.int(0, 2);
  if (how === 0) return { id: unit.organizationalUnitId };
  if (how === 1) return { externalId: unit.externalId };
  return { name: unit.name };
}

/** Sometimes nothing; otherwise a status, a primary OU and/or membership changes. */
export function randomLifecycle(rnd: Random): {
  lifecycle: LifecycleFields;
  changes: Record<string, unknown>;
} {
  const lifecycle: LifecycleFields = {};
  const changes: Record<string, unknown> = {};
  if (rnd.chance(0.25)) {
    lifecycle.status = rnd.chance(0.5) ? "disabled" : "enabled";
    changes.status = lifecycle.status;
  }
  if (rnd.chance(0.2)) {
    const unit = PRIMARY_OUS[rnd.int(0, PRIMARY_OUS.length - 1)]!;
    lifecycle.primary = unit.organizationalUnitId;
    changes.primaryOrganizationalUnit = ref(rnd, unit);
  }
  if (rnd.chance(0.2)) {
    const add: Record<string, string>[] = [];
    const remove: Record<string, string>[] = [];
    lifecycle.members = {};
    for (const unit of MEMBERSHIP_OUS) {
      if (!rnd.chance(0.5)) continue;
      const member = rnd.chance(0.5);
      lifecycle.members[unit.organizationalUnitId] = member;
      (member ? add : remove).push(ref(rnd, unit));
    }
    if (add.length + remove.length > 0) {
      changes.organizationalUnits = { ...(add.length ? { add } : {}), ...(remove.length ? { remove } : {}) };
    } else delete lifecycle.members;
  }
  return { lifecycle, changes };
}

export interface ExpectedLifecycle {
  userId: string;
  status: "enabled" | "disabled";
  primaryOrganizationalUnitId: string;
  memberships: string[];
}

interface LifecycleEvent {
  key: string;
  kind: string;
  occurredAtMs: number;
  userIndex?: number;
  lifecycle?: LifecycleFields;
}

function newer(a: { occurredAtMs: number; key: string }, b: { occurredAtMs: number; key: string }): boolean {
  if (a.occurredAtMs !== b.occurredAtMs) return a.occurredAtMs > b.occurredAtMs;
  return Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) > 0;
}

/** Per user: the newest event's status, primary OU and membership of each membership OU (seed: enabled, root). */
export function expectedLifecycles(
  users: readonly { userId: string }[],
  events: readonly LifecycleEvent[],
): ExpectedLifecycle[] {
  const winners = new Map<string, { occurredAtMs: number; key: string; value: string | boolean }>();
  const win = (slot: string, event: LifecycleEvent, value: string | boolean) => {
    const current = winners.get(slot);
    if (current === undefined || newer(event, current)) {
      winners.set(slot, { occurredAtMs: event.occurredAtMs, key: event.key, value });
    }
  };
  for (const event of events) {
    if (event.kind !== "valid" || event.userIndex === undefined || event.lifecycle === undefined) continue;
    const { status, primary, members } = event.lifecycle;
    if (status !== undefined) win(`${event.userIndex}/status`, event, status);
    if (primary !== undefined) win(`${event.userIndex}/primary`, event, primary);
    for (const [id, member] of Object.entries(members ?? {})) win(`${event.userIndex}/${id}`, event, member);
  }
  return users.map((user, index) => ({
    userId: user.userId,
    status: (winners.get(`${index}/status`)?.value as "enabled" | "disabled" | undefined) ?? "enabled",
    primaryOrganizationalUnitId: (winners.get(`${index}/primary`)?.value as string | undefined) ?? rootOu(),
    memberships: MEMBERSHIP_OUS.map((u) => u.organizationalUnitId).filter(
      (id) => winners.get(`${index}/${id}`)?.value === true,
    ),
  }));
}

/** The same view of a user as EIAM holds it. */
export function actualLifecycle(user: {
  userId: string;
  status: string;
  primaryOrganizationalUnitId: string;
  organizationalUnitIds: readonly string[];
}): ExpectedLifecycle {
  const members = new Set(user.organizationalUnitIds);
  return {
    userId: user.userId,
    status: user.status as "enabled" | "disabled",
    primaryOrganizationalUnitId: user.primaryOrganizationalUnitId,
    memberships: MEMBERSHIP_OUS.map((u) => u.organizationalUnitId).filter((id) => members.has(id)),
  };
}
