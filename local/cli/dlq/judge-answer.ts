/**
 * Did a redrive work? Only when every event of the answer ended applied, duplicate, noop or stale
 * (shared/pipeline/outcome.ts); an async invocation counts once FC accepted it.
 */
import type { InvokeAnswer } from "../function-client.ts";

export const DONE_STATUSES: ReadonlySet<string> = new Set(["applied", "duplicate", "noop", "stale"]);

export interface Verdict {
  ok: boolean;
  /** `applied`, `accepted`, or what went wrong. */
  detail: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeOutcome(outcome: Record<string, unknown>): string {
  const status = String(outcome.status);
  const error = isObject(outcome.error) ? outcome.error : undefined;
  if (error === undefined) return status;
  return `${status}: ${String(error.code)} (${String(error.message).slice(0, 160)})`;
}

function judgeOutcomes(results: unknown[]): Verdict {
  const outcomes = results.filter(isObject);
  if (outcomes.length === 0) return { ok: false, detail: "the function reported no outcome" };
  const failed = outcomes.filter((o) => !DONE_STATUSES.has(String(o.status)));
  if (failed.length === 0) {
    return { ok: true, detail: [...new Set(outcomes.map((o) => String(o.status)))].join(", ") };
  }
  return { ok: false, detail: failed.map(describeOutcome).join("; ") };
}

export function judgeAnswer(answer: InvokeAnswer): Verdict {
  if (answer.kind === "accepted") return { ok: true, detail: "accepted by FC (async)" };
  if (answer.kind === "function-error") {
    return {
      ok: false,
      detail: `the function failed: ${answer.errorType}: ${answer.errorMessage.slice(0, 200)}`,
    };
  }
  const data = answer.data;
  if (isObject(data) && Array.isArray(data.results)) return judgeOutcomes(data.results);
  if (isObject(data) && typeof data.statusCode === "number") {
    // An HTTP-trigger event answered with the function's HTTP response struct.
    let body: unknown = data.body;
    try {
      body = typeof data.body === "string" ? JSON.parse(data.body) : data.body;
    } catch {
      // keep the text
    }
    const outcomes =
      isObject(body) && Array.isArray(body.results) ? body.results : isObject(body) ? [body] : [];
    const verdict = judgeOutcomes(outcomes);
    if (data.statusCode >= 300) return { ok: false, detail: `HTTP ${data.statusCode}: ${verdict.detail}` };
    return verdict;
  }
  return { ok: false, detail: `unexpected answer: ${JSON.stringify(data).slice(0, 200)}` };
}
