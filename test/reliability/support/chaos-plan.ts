/**
 * The chaos stream: canonical events for a few hundred users, some invalid on purpose, some redelivered,
 * shuffled and cut into MNS batches. Everything comes from one seed, so a run can be rebuilt from its seed.
 */
import { type LifecycleFields, randomLifecycle } from "./chaos-lifecycle.ts";
import type { QueueMessage } from "./mns-cloud-events.ts";
import { type Random, seededRandom } from "./seeded-random.ts";

export const CHAOS_INSTANCE_ID = "idaas_chaos_test";
export const CHAOS_SOURCE = "chaos";
export const CHAOS_CUSTOM_FIELDS = [
  { fieldName: "department", maxLength: 128 },
  { fieldName: "cost_center", maxLength: 32 },
];

/** valid: applies; the others must end dead-lettered, each at its own stage. */
export type EventKind = "valid" | "bad-phone" | "unknown-user" | "unknown-external" | "garbage";

export type FieldName = "displayName" | "email" | "phone" | "department" | "cost_center";
export const FIELD_NAMES: readonly FieldName[] = [
  "displayName",
  "email",
  "phone",
  "department",
  "cost_center",
];

/** The value EIAM should hold for a field once this event wins it; null removes a custom field. */
export type FieldValue = string | { region: string; number: string } | null;

export interface PlannedEvent {
  /** What outcomes are grouped by: the event id, or the message id of a message that carries no event. */
  key: string;
  kind: EventKind;
  userIndex?: number;
  occurredAtMs: number;
  body: string;
  fields: Partial<Record<FieldName, FieldValue>>;
  /** Status and OU changes of a valid event (chaos-lifecycle.ts). */
  lifecycle?: LifecycleFields;
}

export interface PlannedMessage extends QueueMessage {
  eventKey: string;
  /** none: the first delivery; same-message: MNS delivers the same message again; new-message: the producer resent. */
  copy: "none" | "same-message" | "new-message";
}

export interface ChaosUser {
  userId: string;
  username: string;
  displayName: string;
  email: string;
  emailVerified: boolean;
  userExternalId: string;
  userSourceType: string;
  userSourceId: string;
}

export interface ChaosPlan {
  seed: number;
  users: ChaosUser[];
  events: PlannedEvent[];
  messages: PlannedMessage[];
  batches: PlannedMessage[][];
}

export interface ChaosPlanOptions {
  seed: number;
  events: number;
  users: number;
  /** Share of events delivered twice. */
  duplicateRate: number;
  /** Share of events that are invalid on purpose (at least one of each kind). */
  invalidRate: number;
  maxBatchSize: number;
}

const BASE_TIME = Date.UTC(2026, 0, 1);
const pad = (n: number, width: number) => String(n).padStart(width, "0");

function chaosUser(index: number): ChaosUser {
  return {
    userId: `user_chaos${pad(index, 6)}`,
    username: `chaos.u${index}`,
    displayName: `Seed ${index}`,
    email: `seed.${index}@example.org`,
    emailVerified: true,
    userExternalId: `hr-chaos-${index}`,
    userSourceType: "build_in",
    userSourceId: CHAOS_INSTANCE_ID,
  };
}

/** Values are already in normalized form, so the oracle can compare them with EIAM as they are. */
function randomChanges(rnd: Random, user: number, i: number) {
  const fields: Partial<Record<FieldName, FieldValue>> = {};
  const changes: Record<string, unknown> = {};
  const custom: Record<string, string | null> = {};
  while (Object.keys(fields).length === 0) {
    if (rnd.chance(0.5)) {
      fields.displayName = `Chaos ${user} ${i}`;
      changes.displayName = fields.displayName;
    }
    if (rnd.chance(0.35)) {
      fields.email = `c${user}.e${i}@example.com`;
      changes.email = fields.email;
    }
    if (rnd.chance(0.35)) {
      // +86 139 then four digits of the user and four of the event: unique per user, valid in CN's plan.
      const number = `139${pad(user % 10_000, 4)}${pad(i % 10_000, 4)}`;
      fields.phone = { region: "86", number };
      changes.phone = `+86 ${number.slice(0, 3)} ${number.slice(3, 7)} ${number.slice(7)}`;
    }
    if (rnd.chance(0.3)) {
      fields.department = rnd.chance(0.2) ? null : `dept-${i}`;
      custom.department = fields.department;
    }
    if (rnd.chance(0.2)) {
      fields.cost_center = rnd.chance(0.3) ? null : `cc-${i}`;
      custom.cost_center = fields.cost_center;
    }
  }
  if (Object.keys(custom).length > 0) changes.customFields = custom;
  return { fields, changes };
}

function kindFor(i: number, invalidEvery: number): EventKind {
  if (i % invalidEvery !== invalidEvery - 1) return "valid";
  const kinds: EventKind[] = ["bad-phone", "unknown-user", "unknown-external", "garbage"];
  return kinds[Math.floor(i / invalidEvery) % kinds.length] as EventKind;
}

export function buildChaosPlan(options: ChaosPlanOptions): ChaosPlan {
  const rnd = seededRandom(options.seed);
  const tag = options.seed.toString(36);
  const users = Array.from({ length: options.users }, (_, i) => chaosUser(i));
  const invalidEvery = Math.max(4, Math.round(1 / options.invalidRate));
  const lastTimeOfUser = new Map<number, number>();

  const events: PlannedEvent[] = [];
  for (let i = 0; i < options.events; i++) {
    const kind = kindFor(i, invalidEvery);
    const id = `evt-${tag}-${pad(i, 6)}`;
    const userIndex = rnd.int(0, options.users - 1);
    // Now and then an exact tie with the user's previous event: the event id must break it.
    const previous = lastTimeOfUser.get(userIndex);
    const occurredAtMs =
      previous !== undefined && rnd.chance(0.03) ? previous : BASE_TIME + rnd.int(0, options.events) * 1000;
    lastTimeOfUser.set(userIndex, occurredAtMs);
    const { fields, changes } = randomChanges(rnd, userIndex, i);
    const occurredAt = new Date(occurredAtMs).toISOString();
    const base = { id, source: CHAOS_SOURCE, occurredAt };
    if (kind === "garbage") {
      const messageKey = `garbage-${tag}-${i}`;
      events.push({ key: messageKey, kind, occurredAtMs, body: `not json {${id}`, fields: {} });
      continue;
    }
    let user: Record<string, string> = rnd.chance(0.1)
      ? { externalId: `hr-chaos-${userIndex}` }
      : { userId: `user_chaos${pad(userIndex, 6)}` };
    // Only valid events change status or OUs: a leaver with a bad phone would be applied without it.
    const lifecycle = kind === "valid" ? randomLifecycle(rnd) : undefined;
    let eventChanges = lifecycle ? { ...changes, ...lifecycle.changes } : changes;
    if (kind === "bad-phone") eventChanges = { ...changes, phone: "+86 123" };
    if (kind === "unknown-user") user = { userId: `user_ghost${pad(i, 6)}` };
    if (kind === "unknown-external") user = { externalId: `hr-ghost-${i}` };
    events.push({
      key: id,
      kind,
      ...(kind === "valid" || kind === "bad-phone" ? { userIndex } : {}),
      occurredAtMs,
      body: JSON.stringify({ ...base, user, changes: eventChanges }),
      fields: kind === "valid" ? fields : {},
      ...(lifecycle !== undefined && Object.keys(lifecycle.lifecycle).length > 0
        ? { lifecycle: lifecycle.lifecycle }
        : {}),
    });
  }

  let messageCount = 0;
  const messageId = () => `${tag.toUpperCase()}${pad(messageCount++, 10)}`;
  const messages: PlannedMessage[] = [];
  const byKey = new Map<string, PlannedMessage>();
  for (const event of events) {
    const id = event.kind === "garbage" ? event.key : messageId();
    const message: PlannedMessage = { messageId: id, body: event.body, eventKey: event.key, copy: "none" };
    messages.push(message);
    byKey.set(event.key, message);
  }
  const duplicates = Math.round(events.length * options.duplicateRate);
  for (const event of rnd.shuffle([...events]).slice(0, duplicates)) {
    const first = byKey.get(event.key)!;
    const sameMessage = event.kind === "garbage" || rnd.chance(0.5);
    messages.push({
      messageId: sameMessage ? first.messageId : messageId(),
      body: first.body,
      eventKey: event.key,
      copy: sameMessage ? "same-message" : "new-message",
    });
  }
  rnd.shuffle(messages);

  const batches: PlannedMessage[][] = [];
  for (let at = 0; at < messages.length; ) {
    const size = rnd.int(1, options.maxBatchSize);
    batches.push(messages.slice(at, at + size));
    at += size;
  }
  return { seed: options.seed, users, events, messages, batches };
}
