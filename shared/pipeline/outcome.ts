import type { Problem } from "../change.ts";
import type { FailureStage } from "../dead-letter/record.ts";

export type OutcomeStatus = "applied" | "duplicate" | "stale" | "noop" | "dead_lettered" | "deferred";
export const OUTCOME_STATUSES: readonly OutcomeStatus[] = [
  "applied",
  "duplicate",
  "stale",
  "noop",
  "dead_lettered",
  "deferred",
];

export interface OutcomeError {
  stage: FailureStage;
  code: string;
  message: string;
  retryable: boolean;
  httpStatus?: number;
  eiamRequestId?: string;
  problems?: Problem[];
}

/** How one event ended. Every event ends in exactly one of these. */
export interface EventOutcome {
  status: OutcomeStatus;
  deliveryId: string;
  eventId?: string;
  userId?: string;
  eiamRequestId?: string;
  /** Fields sent to EIAM (applied), or skipped as older (stale) or equal (noop). */
  fields?: string[];
  staleFields?: string[];
  ignored?: Array<{ path: string; reason: string }>;
  deadLetterId?: string;
  attempts?: number;
  error?: OutcomeError;
}

/** What becomes of an event whose EIAM calls failed every attempt with a retryable error. */
export type FailurePolicy = {
  /** Webhook senders retry on 503: retryable failures are handed back to them instead of dead-lettered. */
  retryableExhausted: "dead-letter" | "defer";
};

export type OutcomeSummary = Record<OutcomeStatus, number>;

export function summarize(outcomes: readonly EventOutcome[]): OutcomeSummary {
  const summary = Object.fromEntries(OUTCOME_STATUSES.map((s) => [s, 0])) as OutcomeSummary;
  for (const o of outcomes) summary[o.status] += 1;
  return summary;
}
