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
  /** For an event that needed several EIAM operations: each in order, and whether it was applied. */
  operations?: OutcomeOperation[];
  /**
   * Part of the event could not be used (e.g. an invalid phone on a leaver): the rest was applied, and this part
   * was dead-lettered on its own.
   */
  rejected?: { deadLetterId: string; problems: Problem[] };
}

export interface OutcomeOperation {
  action: string;
  id: string;
  /** applied: now or by an earlier delivery; failed: the one that stopped the event; pending: not tried. */
  status: "applied" | "failed" | "pending";
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
