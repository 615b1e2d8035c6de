/** Fault injection for signed API requests (never for the admin API). */

export const FAULT_KINDS = [
  "5xx",
  "throttle",
  "timeout",
  "drop",
  "drop-after-apply",
  "timeout-after-apply",
  "pass",
] as const;
/**
 * - `5xx`: 503 ServiceUnavailable. - `throttle`: Throttling.User with x-acs-retry-after.
 * - `timeout`: hold the request `timeoutHoldMs`, then close the socket without an answer.
 * - `drop`: destroy the socket without an answer (nothing applied).
 * - `drop-after-apply`: apply the action, then destroy the socket (the caller cannot know it worked).
 * - `timeout-after-apply`: apply the action, then hold the answer like `timeout` (a slow cloud that did the work).
 * - `pass`: no fault; in `failNext` it lets requests through, so a later entry hits a chosen request.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FailNextEntry {
  kind: FaultKind;
  count: number;
}

export interface FaultSettings {
  /** Added to every signed API request before it is answered. */
  latencyMs: number;
  /** 0..1: chance that a request fails with one of `failureKinds` (picked uniformly). */
  failureRate: number;
  failureKinds: FaultKind[];
  timeoutHoldMs: number;
  /** Requests above this many per rolling second answer Throttling.User; null = no cap. */
  qpsCap: number | null;
  /** Value of the x-acs-retry-after header (milliseconds) on throttling answers. */
  retryAfterMs: number;
  /** Fail the next requests deterministically, in order. */
  failNext: FailNextEntry[];
}

export type FaultReason = "failNext" | "qpsCap" | "failureRate";

export interface FaultDecision {
  kind: FaultKind;
  reason: FaultReason;
}

export function defaultFaultSettings(): FaultSettings {
  return {
    latencyMs: 0,
    failureRate: 0,
    failureKinds: ["5xx"],
    timeoutHoldMs: 10_000,
    qpsCap: null,
    retryAfterMs: 1000,
    failNext: [],
  };
}

function copySettings(settings: FaultSettings): FaultSettings {
  return {
    ...settings,
    failureKinds: [...settings.failureKinds],
    failNext: settings.failNext.map((entry) => ({ ...entry })),
  };
}

const isFaultKind = (value: unknown): value is FaultKind =>
  typeof value === "string" && (FAULT_KINDS as readonly string[]).includes(value);

function nonNegativeNumber(value: unknown, name: string, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) {
    throw new Error(`faults.${name} must be a number from 0 to ${max} (got ${JSON.stringify(value)}).`);
  }
  return value;
}

function faultKind(value: unknown, name: string): FaultKind {
  if (!isFaultKind(value)) {
    throw new Error(`${name} must be one of ${FAULT_KINDS.join(", ")} (got ${JSON.stringify(value)}).`);
  }
  return value;
}

/** Validates `input` (untrusted JSON or a typed partial) and lays it over `base`. Unknown keys are refused. */
export function parseFaultSettings(input: unknown, base: FaultSettings): FaultSettings {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new Error("faults must be a JSON object.");
  }
  const next = copySettings(base);
  for (const [key, value] of Object.entries(input)) {
    switch (key) {
      case "latencyMs":
        next.latencyMs = nonNegativeNumber(value, key);
        break;
      case "failureRate":
        next.failureRate = nonNegativeNumber(value, key, 1);
        break;
      case "timeoutHoldMs":
        next.timeoutHoldMs = nonNegativeNumber(value, key);
        break;
      case "retryAfterMs":
        next.retryAfterMs = Math.round(nonNegativeNumber(value, key));
        break;
      case "qpsCap":
        if (value !== null && (typeof value !== "number" || !Number.isInteger(value) || value < 1)) {
          throw new Error(`faults.qpsCap must be a positive integer or null (got ${JSON.stringify(value)}).`);
        }
        next.qpsCap = value;
        break;
      case "failureKinds":
        if (!Array.isArray(value) || value.length === 0) {
          throw new Error("faults.failureKinds must be a non-empty list of fault kinds.");
        }
        next.failureKinds = value.map((kind, index) => faultKind(kind, `faults.failureKinds[${index}]`));
        break;
      case "failNext":
        if (!Array.isArray(value)) throw new Error("faults.failNext must be a list of {kind, count}.");
        next.failNext = value.map((entry: unknown, index) => {
          const name = `faults.failNext[${index}]`;
          if (typeof entry !== "object" || entry === null)
            throw new Error(`${name} must be an object {kind, count}.`);
          const { kind, count = 1 } = entry as { kind?: unknown; count?: unknown };
          if (typeof count !== "number" || !Number.isInteger(count) || count < 1) {
            throw new Error(`${name}.count must be a positive integer (got ${JSON.stringify(count)}).`);
          }
          return { kind: faultKind(kind, `${name}.kind`), count };
        });
        break;
      default:
        throw new Error(`faults.${key} is not a fault setting (known: ${Object.keys(base).join(", ")}).`);
    }
  }
  return next;
}

export class FaultController {
  private current = defaultFaultSettings();
  private admitted: number[] = [];
  private readonly random: () => number;

  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  get settings(): FaultSettings {
    return copySettings(this.current);
  }

  /** Replaces all settings; fields not given take their defaults. */
  replace(input: unknown): FaultSettings {
    this.current = parseFaultSettings(input, defaultFaultSettings());
    this.admitted = [];
    return this.settings;
  }

  /** Changes only the given fields. */
  update(input: unknown): FaultSettings {
    this.current = parseFaultSettings(input, this.current);
    return this.settings;
  }

  reset(): void {
    this.current = defaultFaultSettings();
    this.admitted = [];
  }

  /** Decides the fault for one API request arriving at `now` (ms); consumes failNext and the QPS budget. */
  decide(now: number): FaultDecision | undefined {
    const next = this.current.failNext[0];
    if (next) {
      next.count -= 1;
      if (next.count <= 0) this.current.failNext.shift();
      return { kind: next.kind, reason: "failNext" };
    }
    const cap = this.current.qpsCap;
    if (cap !== null) {
      this.admitted = this.admitted.filter((time) => time > now - 1000);
      if (this.admitted.length >= cap) return { kind: "throttle", reason: "qpsCap" };
      this.admitted.push(now);
    }
    const { failureRate, failureKinds } = this.current;
    if (failureRate > 0 && this.random() < failureRate) {
      const kind = failureKinds[Math.floor(this.random() * failureKinds.length)] ?? failureKinds[0];
      if (kind) return { kind, reason: "failureRate" };
    }
    return undefined;
  }
}
