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

/**
 * valid: applies; the others must end dead-lettered, each at its own stage. schema-invalid events come in
 * pairs that share one event id with different bodies: each of the two is a dead letter of its own. long-id
 * events have an id past the 128-character limit with a person's email at its end, which logs must mask.
 */
export type EventKind =
  | "valid"
  | "bad-phone"
  | "unknown-user"
  | "unknown-external"
  | "garbage"
  | "schema-invalid"
  | "long-id";

/** How a message reaches the function: in an EventBridge MNS batch, or alone as a signed webhook. */
export type Route = "queue" | "webhook";

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
  /** The id inside the body (absent for garbage); several invalid events may share one. */
  eventId?: string;
  kind: EventKind;
  route: Route;
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
  route: Route;
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
  /** Share of events sent as signed webhooks instead of queue messages. Default 0. */
  webhookRate?: number;
}

const BASE_TIME = Date.UTC(2026, 0, 1);
const pad = (n: number, width: number) => String(n).padStart(width, "0");

/**
 * The first character after `chg-` in every event id. Astral-plane characters (UTF-16 surrogates, 0xD800…)
 * sort before fullwidth forms (0xFF01…) in JavaScript's string order but after them byte by byte in UTF-8,
 * so a tie on occurredAt between `chg-😀…` and `chg-｡…` is decided differently by the two orders.
 */
const ASTRAL_MARKS = ["😀", "𝔘", "🀄"];
const HIGH_BMP_MARKS = ["｡", "Ａ", "ﬀ"];
const OTHER_MARKS = ["e\u0301", "é", "a", "Ω"];
const ALL_MARKS = [...ASTRAL_MARKS, ...HIGH_BMP_MARKS, ...OTHER_MARKS];

/** Display names are people's names: the leak scan looks for each one in every log line. */
const GIVEN_NAMES = [
  "Wei",
  "Zoë",
  "José",
  "Ingrid",
  "Kenji",
  "Amara",
  "Lukas",
  "Mei",
  "Oluwaseun",
  "Siobhán",
];
const FAMILY_NAMES = ["Zhang", "García", "Müller", "O'Neil", "Sato", "Okafor", "Kowalski", "Haddad", "Novák"];
const CJK_NAMES = ["李娜", "王伟", "张敏", "刘洋", "陈静", "杨帆"];

export function personName(user: number, i: number): string {
  if ((user + i) % 5 === 0) return CJK_NAMES[(user * 7 + i) % CJK_NAMES.length]!;
  const given = GIVEN_NAMES[(user * 3 + i) % GIVEN_NAMES.length]!;
  const family = FAMILY_NAMES[(user + i * 7) % FAMILY_NAMES.length]!;
  return `${given} ${family}`;
}

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

/** The phone of (user, event) as EIAM stores it: +86 139, four digits of the user, four of the event. */
export function chaosPhoneNumber(user: number, i: number): string {
  return `139${pad(user % 10_000, 4)}${pad(i % 10_000, 4)}`;
}

/** Values are already in normalized form, so the oracle can compare them with EIAM as they are. */
function randomChanges(rnd: Random, user: number, i: number) {
  const fields: Partial<Record<FieldName, FieldValue>> = {};
  const changes: Record<string, unknown> = {};
  const custom: Record<string, string | null> = {};
  while (Object.keys(fields).length === 0) {
    if (rnd.chance(0.5)) {
      fields.displayName = personName(user, i);
      changes.displayName = fields.displayName;
    }
    if (rnd.chance(0.35)) {
      fields.email = `c${user}.e${i}@example.com`;
      changes.email = fields.email;
    }
    if (rnd.chance(0.35)) {
      // Unique per user and event (modulo 10,000 events), valid in CN's numbering plan.
      const number = chaosPhoneNumber(user, i);
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
  const kinds: EventKind[] = [
    "bad-phone",
    "unknown-user",
    "unknown-external",
    "garbage",
    "schema-invalid",
    "long-id",
  ];
  return kinds[Math.floor(i / invalidEvery) % kinds.length] as EventKind;
}

/** A mark that the two string orders disagree on against the user's previous one, when there is one. */
function markFor(rnd: Random, previousMark: string | undefined, tie: boolean): string {
  if (!tie || previousMark === undefined) return rnd.pick(ALL_MARKS);
  return ASTRAL_MARKS.includes(previousMark) ? rnd.pick(HIGH_BMP_MARKS) : rnd.pick(ASTRAL_MARKS);
}

export function buildChaosPlan(options: ChaosPlanOptions): ChaosPlan {
  const rnd = seededRandom(options.seed);
  const tag = options.seed.toString(36);
  const users = Array.from({ length: options.users }, (_, i) => chaosUser(i));
  const invalidEvery = Math.max(5, Math.round(1 / options.invalidRate));
  const lastOfUser = new Map<number, { occurredAtMs: number; mark: string }>();
  const webhookRate = options.webhookRate ?? 0;
  let schemaInvalid = 0;

  const events: PlannedEvent[] = [];
  for (let i = 0; i < options.events; i++) {
    const kind = kindFor(i, invalidEvery);
    const route: Route = rnd.chance(webhookRate) ? "webhook" : "queue";
    const userIndex = rnd.int(0, options.users - 1);
    // Now and then an exact tie with the user's previous event: the event id must break it, byte by byte.
    const previous = lastOfUser.get(userIndex);
    const tie = previous !== undefined && rnd.chance(0.06);
    const occurredAtMs = tie ? previous.occurredAtMs : BASE_TIME + rnd.int(0, options.events) * 1000;
    const mark = markFor(rnd, previous?.mark, tie);
    const id = `chg-${mark}-${tag}-${pad(i, 6)}`;
    lastOfUser.set(userIndex, { occurredAtMs, mark });
    const { fields, changes } = randomChanges(rnd, userIndex, i);
    const occurredAt = new Date(occurredAtMs).toISOString();
    const base = { id, source: CHAOS_SOURCE, occurredAt };
    if (kind === "garbage") {
      const messageKey = `garbage-${tag}-${i}`;
      events.push({ key: messageKey, kind, route, occurredAtMs, body: `not json {${id}`, fields: {} });
      continue;
    }
    if (kind === "schema-invalid") {
      // Two in a row share an id; the bodies differ (the index, and which rule each breaks). The id is ASCII:
      // a store that refuses an odd id would take another path, and this one is about the id.
      const sharedId = `bad-${tag}-${pad(Math.floor(schemaInvalid / 2), 6)}`;
      const broken =
        schemaInvalid % 2 === 0
          ? {
              ...base,
              id: sharedId,
              occurredAt: `not a time ${i}`,
              user: { userId: users[userIndex]!.userId },
            }
          : {
              ...base,
              id: sharedId,
              user: { userId: users[userIndex]!.userId },
              changes: [`not an object ${i}`],
            };
      schemaInvalid += 1;
      events.push({
        key: `${sharedId}#${i}`,
        eventId: sharedId,
        kind,
        route,
        occurredAtMs,
        body: JSON.stringify({ changes, ...broken }),
        fields: {},
      });
      continue;
    }
    if (kind === "long-id") {
      // Unique in its first 64 characters, in case a cap cuts the rest.
      const longId = `long-${tag}-${pad(i, 6)}-${"z".repeat(150)} c${userIndex}.e${i}@example.com`;
      events.push({
        key: longId,
        eventId: longId,
        kind,
        route,
        occurredAtMs,
        body: JSON.stringify({ ...base, id: longId, user: { userId: users[userIndex]!.userId }, changes }),
        fields: {},
      });
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
      eventId: id,
      kind,
      route,
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
    const message: PlannedMessage = {
      messageId: id,
      body: event.body,
      eventKey: event.key,
      copy: "none",
      route: event.route,
    };
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
      route: event.route,
    });
  }
  rnd.shuffle(messages);

  // A webhook is one delivery of its own; queue messages are cut into batches between them.
  const batches: PlannedMessage[][] = [];
  let open: PlannedMessage[] = [];
  let size = rnd.int(1, options.maxBatchSize);
  for (const message of messages) {
    if (message.route === "webhook") {
      batches.push([message]);
      continue;
    }
    open.push(message);
    if (open.length === size) {
      batches.push(open);
      open = [];
      size = rnd.int(1, options.maxBatchSize);
    }
  }
  if (open.length > 0) batches.push(open);
  return { seed: options.seed, users, events, messages, batches };
}
