/**
 * Exactly-once and ordering, counted where they matter: at EIAM. The emulator logs every request in the order
 * it applied them (the action runs and the entry is written in one synchronous step), so replaying the applied
 * UpdateUser calls over the seeded users gives every state change of every field. Each new value is traced
 * back to the events that carried it (the chaos values are unique per user and event, but for removals).
 * It then finds:
 * - a field set to a value no valid event carried (a wrong write);
 * - an event whose value changed a field twice (applied twice: something overwrote it in between);
 * - a field changed to an older event's value while it held a newer event's value, newest by
 *   (occurredAt, event id as UTF-8 bytes): field-level last-writer-wins broken.
 */
import type { RequestLogEntry } from "../../../local/eiam-emulator/request-log.ts";
import type { ChaosPlan, FieldName, PlannedEvent } from "./chaos-plan.ts";

export interface LogOracleReport {
  /** UpdateUser calls EIAM applied, and the field changes they made. */
  appliedUpdates: number;
  stateChanges: number;
  /** Events whose value changed at least one field. */
  eventsThatChangedEiam: number;
  wrongWrites: unknown[];
  appliedTwice: unknown[];
  olderOverNewer: unknown[];
}

type Slot = `${string}|${FieldName}`;
const APPLIED_WITHOUT_ANSWER = new Set(["drop-after-apply", "timeout-after-apply"]);

/** Newer by time, then by the event id's UTF-8 bytes (what the stores compare). */
export function newerEvent(a: PlannedEvent, b: PlannedEvent): boolean {
  if (a.occurredAtMs !== b.occurredAtMs) return a.occurredAtMs > b.occurredAtMs;
  return Buffer.compare(Buffer.from(a.eventId ?? a.key), Buffer.from(b.eventId ?? b.key)) > 0;
}

function valueKey(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "object") {
    const phone = value as { region: string; number: string };
    return `+${phone.region} ${phone.number}`;
  }
  return String(value);
}

/** The fields an UpdateUser call sets, in the oracle's names and value keys. */
function fieldsOf(params: Record<string, string>): Array<[FieldName, string]> {
  const out: Array<[FieldName, string]> = [];
  if (params.DisplayName !== undefined) out.push(["displayName", params.DisplayName]);
  if (params.Email !== undefined) out.push(["email", params.Email]);
  if (params.PhoneNumber !== undefined)
    out.push(["phone", `+${params.PhoneRegion ?? ""} ${params.PhoneNumber}`]);
  for (let n = 1; params[`CustomFields.${n}.FieldName`] !== undefined; n++) {
    const name = params[`CustomFields.${n}.FieldName`] as FieldName;
    const removed = params[`CustomFields.${n}.Operation`] === "remove";
    out.push([name, removed ? "null" : (params[`CustomFields.${n}.FieldValue`] ?? "")]);
  }
  return out;
}

export function checkEiamRequestLog(plan: ChaosPlan, log: readonly RequestLogEntry[]): LogOracleReport {
  // Which valid events carried each value, per user and field.
  const carriers = new Map<string, PlannedEvent[]>();
  for (const event of plan.events) {
    if (event.kind !== "valid" || event.userIndex === undefined) continue;
    const userId = plan.users[event.userIndex]!.userId;
    for (const [field, value] of Object.entries(event.fields)) {
      const k = `${userId}|${field}|${valueKey(value)}`;
      carriers.set(k, [...(carriers.get(k) ?? []), event]);
    }
  }
  // What each field holds now, and which events may have put it there ([] = the seeded value, oldest of all).
  const holds = new Map<Slot, { value: string; by: PlannedEvent[] }>();
  for (const user of plan.users) {
    holds.set(`${user.userId}|displayName`, { value: user.displayName, by: [] });
    holds.set(`${user.userId}|email`, { value: user.email, by: [] });
  }
  const applications = new Map<string, number>();
  const report: LogOracleReport = {
    appliedUpdates: 0,
    stateChanges: 0,
    eventsThatChangedEiam: 0,
    wrongWrites: [],
    appliedTwice: [],
    olderOverNewer: [],
  };
  const changers = new Set<string>();

  for (const entry of log) {
    if (entry.action !== "UpdateUser") continue;
    const applied =
      entry.status === 200 ||
      (entry.status === 0 && APPLIED_WITHOUT_ANSWER.has(entry.fault ?? "") && entry.code === undefined);
    if (!applied) continue;
    report.appliedUpdates += 1;
    const userId = entry.params.UserId ?? "";
    for (const [field, value] of fieldsOf(entry.params)) {
      const slot: Slot = `${userId}|${field}`;
      const before = holds.get(slot) ?? { value: "null", by: [] };
      if (before.value === value) continue;
      report.stateChanges += 1;
      const by = carriers.get(`${slot}|${value}`) ?? [];
      holds.set(slot, { value, by });
      const where = { userId, field, value, requestId: entry.requestId, time: entry.time };
      if (by.length === 0) {
        report.wrongWrites.push(where);
        continue;
      }
      for (const event of by) changers.add(event.key);
      if (by.length === 1) {
        const k = `${by[0]!.key}|${field}`;
        const count = (applications.get(k) ?? 0) + 1;
        applications.set(k, count);
        if (count > 1) report.appliedTwice.push({ ...where, event: by[0]!.key, times: count });
      }
      // Only when every event that may have written the old value is newer than every one that may have
      // written the new value: no false alarm from values two events share.
      if (before.by.length > 0 && before.by.every((old) => by.every((now) => newerEvent(old, now)))) {
        report.olderOverNewer.push({
          ...where,
          overwrote: before.value,
          newer: before.by.map((e) => ({ event: e.key, occurredAtMs: e.occurredAtMs })),
          older: by.map((e) => ({ event: e.key, occurredAtMs: e.occurredAtMs })),
        });
      }
    }
  }
  report.eventsThatChangedEiam = changers.size;
  return report;
}
