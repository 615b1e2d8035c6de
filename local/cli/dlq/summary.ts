/**
 * One row per dead-letter entry (what `dlq list` prints and what `--filter` matches), and the payload a redrive
 * sends to the function for it.
 */
import { redriveEnvelope } from "../../../shared/handler/redrive.ts";
import { decodeInvocation } from "../../../shared/triggers/detect.ts";
import type { DlqEntry, FcFailureRecord } from "./entries.ts";

export interface EntrySummary {
  id: string;
  kind: DlqEntry["kind"];
  failedAt?: string;
  trigger?: string;
  eventId?: string;
  /** The EIAM user id, or how the event named the user (`email:…`, `externalId:…`) when it was not resolved. */
  user?: string;
  userId?: string;
  source?: string;
  stage?: string;
  code?: string;
  message?: string;
  messageIds: string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** How a user key names the user, for display: `userId`, else `email:…`, `externalId:…`, … */
export function describeUser(userId: string | undefined, userKey: unknown): string | undefined {
  if (userId) return userId;
  if (!isObject(userKey)) return undefined;
  if (text(userKey.userId)) return text(userKey.userId);
  const external = userKey.externalId;
  if (isObject(external) && text(external.id)) return `externalId:${external.id}`;
  if (text(external)) return `externalId:${external}`;
  if (text(userKey.email)) return `email:${userKey.email}`;
  const phone = userKey.phone;
  if (isObject(phone) && text(phone.number)) return `phone:+${phone.region ?? ""} ${phone.number}`;
  if (text(phone)) return `phone:${phone}`;
  if (text(userKey.username)) return `username:${userKey.username}`;
  return undefined;
}

interface PayloadFacts {
  trigger?: string;
  eventIds: string[];
  users: string[];
  sources: string[];
}

function eventFacts(body: Buffer, facts: PayloadFacts): void {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    return;
  }
  for (const item of Array.isArray(value) ? value : [value]) {
    if (!isObject(item)) continue;
    if (text(item.id)) facts.eventIds.push(String(item.id));
    if (text(item.source)) facts.sources.push(String(item.source));
    const user = describeUser(undefined, item.user);
    if (user) facts.users.push(user);
  }
}

/** What an invocation payload holds, as far as it can be read without running the pipeline. */
export function payloadFacts(payload: string): PayloadFacts {
  const facts: PayloadFacts = { eventIds: [], users: [], sources: [] };
  try {
    const decoded = decodeInvocation(Buffer.from(payload), Date.now());
    const deliveries = decoded.kind === "http" ? [decoded.delivery] : decoded.deliveries;
    facts.trigger = [...new Set(deliveries.map((d) => d.trigger))].join(",");
    for (const delivery of deliveries) eventFacts(delivery.body, facts);
  } catch {
    if (payload.includes('"eiam-user-sync.redrive"')) facts.trigger = "redrive";
  }
  return facts;
}

function several(values: string[]): string | undefined {
  const unique = [...new Set(values)];
  if (unique.length === 0) return undefined;
  return unique.length === 1 ? unique[0] : `${unique[0]} (+${unique.length - 1})`;
}

function fcError(record: FcFailureRecord): { code?: string; message?: string } {
  try {
    const body = JSON.parse(record.responsePayload ?? "") as unknown;
    if (isObject(body)) {
      return {
        code: text(body.errorType) ?? record.responseContext?.functionError,
        message: text(body.errorMessage),
      };
    }
  } catch {
    // not JSON: show what FC said as is
  }
  return { code: record.responseContext?.functionError, message: record.responsePayload };
}

function fromFacts(facts: PayloadFacts) {
  return {
    trigger: facts.trigger,
    eventId: several(facts.eventIds),
    user: several(facts.users),
    source: several(facts.sources),
  };
}

export function summarizeEntry(entry: DlqEntry): EntrySummary {
  const base = { id: entry.id, kind: entry.kind, messageIds: entry.messages.map((m) => m.messageId) };
  const enqueued = new Date(entry.messages[0]?.enqueueTime ?? Date.now()).toISOString();
  switch (entry.kind) {
    case "record": {
      const r = entry.record;
      return {
        ...base,
        failedAt: r.failedAt,
        trigger: r.delivery.trigger,
        eventId: r.eventId,
        user: describeUser(r.userId, r.userKey),
        userId: r.userId,
        source: r.source,
        stage: r.error.stage,
        code: r.error.code,
        message: r.error.message,
      };
    }
    case "fc-failure": {
      const error = fcError(entry.record);
      return {
        ...base,
        ...fromFacts(payloadFacts(entry.record.requestPayload)),
        failedAt: entry.record.timestamp ?? enqueued,
        stage: "invoke",
        ...error,
      };
    }
    case "raw":
      return {
        ...base,
        ...fromFacts(payloadFacts(entry.body)),
        failedAt: enqueued,
        stage: "trigger",
        message: entry.note ?? "raw message (moved here by the trigger, or not a dead-letter record)",
      };
    case "incomplete":
      return {
        ...base,
        failedAt: enqueued,
        stage: "?",
        code: "IncompleteRecord",
        message: `${entry.have} of ${entry.parts} parts of record ${entry.recordId} are in the queue`,
      };
  }
}

/**
 * What to invoke the function with to redrive an entry; undefined when it cannot be redriven. An asynchronous
 * redrive deletes the message once FC accepts the invocation, so a failure again must be published anew.
 */
export function redrivePayload(entry: DlqEntry, asyncInvoke = false): string | undefined {
  switch (entry.kind) {
    case "record":
      return JSON.stringify(redriveEnvelope(entry.id, entry.record, asyncInvoke ? "publish" : "retain"));
    case "fc-failure":
      return entry.record.requestPayload;
    case "raw":
      return entry.body;
    case "incomplete":
      return undefined;
  }
}
