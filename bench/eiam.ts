/**
 * The EIAM side of a scenario: an emulator seeded with the benchmark's users, and what its request log and
 * final state say (calls, throttling, per-user order, agreement with the oracle).
 */
import { type EiamEmulator, type RequestLogEntry, startEiamEmulator } from "../local/eiam-emulator/server.ts";
import {
  BENCH_CREDENTIALS,
  BENCH_CUSTOM_FIELDS,
  BENCH_INSTANCE_ID,
  type BenchUserState,
  type SeedUser,
} from "./workload.ts";

export async function startBenchEmulator(users: readonly SeedUser[]): Promise<EiamEmulator> {
  return startEiamEmulator({
    instanceIds: [BENCH_INSTANCE_ID],
    credentials: [BENCH_CREDENTIALS],
    users: [...users],
    customFields: BENCH_CUSTOM_FIELDS,
  });
}

export interface LogFigures {
  /** Every signed API request the emulator saw. */
  calls: number;
  /** Requests that were admitted (not throttled) and answered 200. */
  succeeded: number;
  updateUserSucceeded: number;
  throttled: number;
  throttledAfterFirstSecond: number;
  /** Users for whom some field was written by an older event after a newer one (per-field event order). */
  usersOutOfOrder: number;
  /** Events (user, revision) that were applied by more than one successful UpdateUser. */
  eventsAppliedTwice: number;
  /** Other failures (not throttling), by code. */
  otherErrors: Record<string, number>;
  /** The most requests admitted (not throttled) in any rolling 1000 ms: what the emulator's cap compares. */
  maxAdmittedInOneSecond: number;
}

/**
 * The event revision each field of an UpdateUser call carries (the workload writes it into every value), so
 * that order can be checked per field: under field-level last-writer-wins an older event may still write the
 * fields no newer event touched, and then its call has no DisplayName.
 */
export function fieldRevisions(params: Readonly<Record<string, string>>): Map<string, number> {
  const out = new Map<string, number>();
  const displayName = / rev (\d+)$/.exec(params.DisplayName ?? "");
  if (displayName) out.set("displayName", Number(displayName[1]));
  const email = /\.r(\d+)@/.exec(params.Email ?? "");
  if (email) out.set("email", Number(email[1]));
  if (params.PhoneNumber) out.set("phone", Number(params.PhoneNumber.slice(-1)));
  for (const [key, name] of Object.entries(params)) {
    const field = /^CustomFields\.(\d+)\.FieldName$/.exec(key);
    const rev = field && /-r(\d+)$/.exec(params[`CustomFields.${field[1]}.FieldValue`] ?? "");
    if (rev) out.set(`customFields.${name}`, Number(rev[1]));
  }
  return out;
}

export function isThrottled(entry: RequestLogEntry): boolean {
  return /^Throttling/.test(entry.code ?? "") || entry.fault === "throttle";
}

/** `runStartedAtMs`: epoch ms when the first invocation began; throttling within 1 s of it is the warm-up. */
export function analyzeLog(log: readonly RequestLogEntry[], runStartedAtMs: number): LogFigures {
  const figures: LogFigures = {
    calls: log.length,
    succeeded: 0,
    updateUserSucceeded: 0,
    throttled: 0,
    throttledAfterFirstSecond: 0,
    usersOutOfOrder: 0,
    eventsAppliedTwice: 0,
    otherErrors: {},
    maxAdmittedInOneSecond: 0,
  };
  const lastRevision = new Map<string, number>();
  const outOfOrder = new Set<string>();
  const applied = new Set<string>();
  for (const entry of log) {
    if (isThrottled(entry)) {
      figures.throttled += 1;
      if (Date.parse(entry.time) >= runStartedAtMs + 1000) figures.throttledAfterFirstSecond += 1;
      continue;
    }
    if (entry.status !== 200) {
      const code = entry.code ?? `status ${entry.status}`;
      figures.otherErrors[code] = (figures.otherErrors[code] ?? 0) + 1;
      continue;
    }
    figures.succeeded += 1;
    if (entry.action !== "UpdateUser") continue;
    figures.updateUserSucceeded += 1;
    const userId = entry.params.UserId ?? "";
    const revisions = fieldRevisions(entry.params);
    for (const [field, revision] of revisions) {
      const key = `${userId}#${field}`;
      const previous = lastRevision.get(key);
      if (previous !== undefined && !(revision > previous)) outOfOrder.add(userId);
      lastRevision.set(key, revision);
    }
    // One call applies one event: every field in it carries the same revision.
    const event = `${userId}#${[...revisions.values()][0]}`;
    if (applied.has(event)) figures.eventsAppliedTwice += 1;
    applied.add(event);
  }
  figures.usersOutOfOrder = outOfOrder.size;
  figures.maxAdmittedInOneSecond = maxInWindow(
    log.filter((e) => !isThrottled(e)).map((e) => Date.parse(e.time)),
    1000,
  );
  return figures;
}

/** The most timestamps (ms, any order) that fall within one window of `windowMs` (start inclusive, end exclusive). */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

export interface OracleCheck {
  users: number;
  mismatched: number;
  /** The first difference found, for the report. */
  example?: string;
}

/** Compares each user's final EIAM state with the oracle (the latest value of every field). */
export function checkOracle(
  emulator: EiamEmulator,
  expected: ReadonlyMap<string, BenchUserState>,
): OracleCheck {
  let mismatched = 0;
  let example: string | undefined;
  for (const [userId, want] of expected) {
    const user = emulator.state.getUser(userId);
    const got: BenchUserState | undefined = user && {
      displayName: user.displayName ?? "",
      ...(user.email !== undefined && want.email !== undefined ? { email: user.email } : {}),
      ...(want.phoneNumber !== undefined
        ? { phoneRegion: user.phoneRegion ?? "", phoneNumber: user.phoneNumber ?? "" }
        : {}),
      customFields: Object.fromEntries(
        Object.entries(user.customFields).filter(([name]) => name in want.customFields),
      ),
    };
    if (got !== undefined && JSON.stringify(sortKeys(got)) === JSON.stringify(sortKeys(want))) continue;
    mismatched += 1;
    example ??= `${userId}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got ?? null)}`;
  }
  return { users: expected.size, mismatched, ...(example !== undefined ? { example } : {}) };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, sortKeys(v)]),
  );
}
