/**
 * The idempotency store: the contract shared by the in-memory and the Redis implementations, and the argument
 * checks they share.
 *
 * Keys, hashes and version order live in `keys.ts`, the one module the plan and every store use.
 *
 * Model (after Powertools' persistence layer): a record goes IN_PROGRESS (a lease that lapses at
 * `leaseExpiresAt`, normally the invocation's deadline) → COMPLETED (kept `ttlSeconds` for dedupe).
 * A lapsed IN_PROGRESS record can be claimed again (attempt + 1); `release` deletes it at once.
 */
import { DependencyUnavailableError } from "../dependency-error.ts";

export interface StoredOutcome {
  status: "applied" | "noop" | "stale" | "dead_lettered";
  at: number;
  eiamRequestId?: string;
  deadLetterId?: string;
}

export type ClaimResult =
  | { kind: "claimed"; attempt: number } // we now hold the IN_PROGRESS lease (attempt = 1 first time, +1 after a lapsed lease)
  | { kind: "completed"; outcome: StoredOutcome } // done before: a duplicate
  | { kind: "in_progress"; leaseExpiresAt: number } // another holder's lease is live
  | { kind: "conflict" }; // the key was used before with a DIFFERENT payload hash

export interface FieldVersion {
  version: string;
  valueHash: string;
}

export interface IdempotencyStore {
  /**
   * Atomically: if no record or an IN_PROGRESS whose lease lapsed (leaseExpiresAt <= nowMs) → write IN_PROGRESS
   * {payloadHash, leaseExpiresAt: leaseUntilMs} and return claimed. A record with another payloadHash → conflict
   * (checked before anything else).
   */
  claim(key: string, payloadHash: string, leaseUntilMs: number, nowMs: number): Promise<ClaimResult>;
  /**
   * IN_PROGRESS → COMPLETED with the outcome, kept for ttlSeconds. Only if we still hold it (same payloadHash).
   * Otherwise (no record, another payload, already COMPLETED) nothing changes: the first outcome wins.
   */
  complete(key: string, payloadHash: string, outcome: StoredOutcome, ttlSeconds: number): Promise<void>;
  /** Drop our IN_PROGRESS record (same payloadHash only) so a redelivery can run again. A COMPLETED record stays. */
  release(key: string, payloadHash: string): Promise<void>;
  /** Last applied version and value hash of each requested field of one user; `undefined` for a field never written. */
  readFields(userId: string, fields: readonly string[]): Promise<Record<string, FieldVersion | undefined>>;
  /**
   * For each field atomically: store {version, valueHash} only if version > the stored version (byte-wise, see
   * `compareVersions`). Returns the fields that were NOT stored because a newer version exists. A field whose
   * stored version is equal (the same change again: e.g. its value recorded once EIAM answered, after it was
   * recorded as unknown before the call) gets the new value hash and is not reported.
   * The user's field record expires ttlSeconds after the last write that stored something.
   */
  writeFields(userId: string, updates: Record<string, FieldVersion>, ttlSeconds: number): Promise<string[]>;
  /** Per-user mutual exclusion across instances: true if acquired (or already ours, then extended). Lease lapses at leaseUntilMs. */
  acquireUserLease(userId: string, owner: string, leaseUntilMs: number, nowMs: number): Promise<boolean>;
  /** Frees the lease if `owner` holds it; otherwise does nothing. */
  releaseUserLease(userId: string, owner: string): Promise<void>;
  /**
   * Remembers, for ttlSeconds, that this event (key and payload) was dead-lettered as `deadLetterId`, so that a
   * redelivery is answered as a duplicate instead of being dead-lettered again. One entry per key: the last wins.
   */
  rememberDeadLetter(
    key: string,
    payloadHash: string,
    deadLetterId: string,
    ttlSeconds: number,
  ): Promise<void>;
  /** The dead-letter id remembered for exactly this key and payload, if any. */
  recallDeadLetter(key: string, payloadHash: string): Promise<string | undefined>;
  /**
   * Records, for ttlSeconds, that one EIAM operation of this event (key and payload) succeeded, with its result
   * (the created user id for CreateUser, else the EIAM request id). Written before the next operation starts, so
   * that a redelivery or a redrive after a crash resumes at the first operation not recorded.
   */
  recordOperation(
    key: string,
    payloadHash: string,
    operationId: string,
    result: string,
    ttlSeconds: number,
  ): Promise<void>;
  /** The operations recorded for exactly this key and payload: operation id → result. */
  readOperations(key: string, payloadHash: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Options every store takes. */
export interface StoreOptions {
  /** Prepended to every key. Default `"eiam-user-sync:"`. */
  keyPrefix?: string;
  /** How long an IN_PROGRESS record may live at least (never shorter than its lease). Default 86 400 s. */
  recordTtlSeconds?: number;
}

export const DEFAULT_KEY_PREFIX = "eiam-user-sync:";
export const DEFAULT_RECORD_TTL_SECONDS = 86_400;

/**
 * The store cannot be reached or did not answer in time. The caller should fail the invocation so that the
 * platform retries it: we never apply a change without the store's say-so (fail closed).
 */
export class IdempotencyStoreUnavailableError extends DependencyUnavailableError {
  readonly operation: string;
  constructor(operation: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`idempotency store unavailable during ${operation}: ${detail}`, { cause });
    this.name = "IdempotencyStoreUnavailableError";
    this.operation = operation;
  }
}

/**
 * The in-memory store holds as many live entries as it may: a new claim must wait until some expire. The
 * pipeline hands the event back (deferred) so that the platform delivers it again later.
 */
export class IdempotencyStoreFullError extends Error {
  override readonly name = "IdempotencyStoreFullError";
  constructor(
    readonly operation: string,
    readonly maxEntries: number,
  ) {
    super(
      `idempotency store full during ${operation}: ${maxEntries} live entries (IDEMPOTENCY_STORE=memory holds no more; use redis)`,
    );
  }
}

const OUTCOME_STATUSES: ReadonlySet<string> = new Set(["applied", "noop", "stale", "dead_lettered"]);

/** Checks an outcome before it is stored; throws a RangeError naming the field. */
export function assertStoredOutcome(outcome: StoredOutcome): void {
  if (!OUTCOME_STATUSES.has(outcome.status)) {
    throw new RangeError(
      `outcome.status must be one of applied, noop, stale, dead_lettered, got ${String(outcome.status)}`,
    );
  }
  if (!Number.isFinite(outcome.at))
    throw new RangeError(`outcome.at must be a finite number, got ${outcome.at}`);
  for (const field of ["eiamRequestId", "deadLetterId"] as const) {
    const v = outcome[field];
    if (v !== undefined && typeof v !== "string") throw new RangeError(`outcome.${field} must be a string`);
  }
}

/** Reads an outcome back from its stored JSON, refusing anything that is not one. */
export function parseStoredOutcome(json: string): StoredOutcome {
  const value: unknown = JSON.parse(json);
  if (typeof value !== "object" || value === null) throw new TypeError("stored outcome is not an object");
  const status: unknown = Reflect.get(value, "status");
  const at: unknown = Reflect.get(value, "at");
  if (typeof status !== "string" || !OUTCOME_STATUSES.has(status) || typeof at !== "number") {
    throw new TypeError("stored outcome has no valid status and at");
  }
  const outcome: StoredOutcome = { status: status as StoredOutcome["status"], at };
  const eiamRequestId: unknown = Reflect.get(value, "eiamRequestId");
  const deadLetterId: unknown = Reflect.get(value, "deadLetterId");
  if (typeof eiamRequestId === "string") outcome.eiamRequestId = eiamRequestId;
  if (typeof deadLetterId === "string") outcome.deadLetterId = deadLetterId;
  return outcome;
}

/** Argument checks shared by the implementations; each error names the argument and the rule. */
export function requireNonEmpty(name: string, value: string): void {
  if (typeof value !== "string" || value.length === 0)
    throw new RangeError(`${name} must be a non-empty string`);
}

export function requireLease(leaseUntilMs: number, nowMs: number): void {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) {
    throw new RangeError(`nowMs must be a non-negative integer of epoch milliseconds, got ${nowMs}`);
  }
  if (!Number.isSafeInteger(leaseUntilMs) || leaseUntilMs <= nowMs) {
    throw new RangeError(`leaseUntilMs must be an integer later than nowMs (${nowMs}), got ${leaseUntilMs}`);
  }
}

export function requireTtlSeconds(ttlSeconds: number): void {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`ttlSeconds must be a positive integer, got ${ttlSeconds}`);
  }
}

export function requireFieldUpdates(updates: Record<string, FieldVersion>): void {
  for (const [field, fv] of Object.entries(updates)) {
    requireNonEmpty("field name", field);
    requireNonEmpty(`updates.${field}.version`, fv.version);
    if (typeof fv.valueHash !== "string") throw new RangeError(`updates.${field}.valueHash must be a string`);
  }
}

/** Time an IN_PROGRESS record is kept: the record TTL, but never less than its lease. */
export function inProgressTtlMs(recordTtlSeconds: number, leaseUntilMs: number, nowMs: number): number {
  return Math.max(recordTtlSeconds * 1000, leaseUntilMs - nowMs);
}
