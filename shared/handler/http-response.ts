import type { EventOutcome } from "../pipeline/outcome.ts";

/** The struct an FC 3.0 HTTP-trigger handler returns. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

export const RETRY_AFTER_SECONDS = 30;

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

export function errorResponse(
  statusCode: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
) {
  return jsonResponse(statusCode, { status: "rejected", error: { code, message } }, headers);
}

/** What the sender is told, worst outcome first: retry later (503), bad input (400), EIAM refused (422), done (200). */
export function statusFor(outcomes: readonly EventOutcome[]): number {
  if (outcomes.some((o) => o.status === "deferred")) return 503;
  const dead = outcomes.filter((o) => o.status === "dead_lettered");
  if (dead.some((o) => o.error?.stage === "decode" || o.error?.stage === "validate")) return 400;
  // A leaver applied without its invalid fields: the sender is told that part was refused.
  if (outcomes.some((o) => o.rejected !== undefined)) return 400;
  if (dead.length > 0) return 422;
  return 200;
}

export function outcomesResponse(outcomes: readonly EventOutcome[]): HttpResponse {
  const statusCode = statusFor(outcomes);
  const headers: Record<string, string> =
    statusCode === 503 ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {};
  const body = outcomes.length === 1 ? present(outcomes[0]!) : { results: outcomes.map(present) };
  return jsonResponse(statusCode, body, headers);
}

/** The outcome with its status first, for people reading the answer. */
export function present(o: EventOutcome): EventOutcome {
  const { status, eventId, userId, ...rest } = o;
  return { status, eventId, userId, ...rest };
}
