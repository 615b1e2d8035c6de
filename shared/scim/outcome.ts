/**
 * How a pipeline outcome is answered in SCIM. Success is answered by the caller with the user as EIAM now
 * holds it; this module answers everything else.
 */
import { EiamError } from "../eiam/errors.ts";
import type { HttpResponse } from "../handler/http-response.ts";
import type { EventOutcome } from "../pipeline/outcome.ts";
import { RateLimiterUnavailableError } from "../rate-limit/limiter.ts";
import { FilterTooBroadError, retryLater, scimError } from "./errors.ts";

const NOT_FOUND = new Set(["UserNotFound", "EntityNotExists.User"]);

function isThrottled(code: string, httpStatus: number | undefined): boolean {
  return code.startsWith("Throttling") || httpStatus === 429;
}

/** undefined when the change went through (applied, noop, duplicate, stale). */
export function failureResponse(outcome: EventOutcome): HttpResponse | undefined {
  if (outcome.status !== "dead_lettered" && outcome.status !== "deferred") return undefined;
  const error = outcome.error;
  const code = error?.code ?? "Unknown";
  const message = error?.message ?? "the change was not applied";
  if (isThrottled(code, error?.httpStatus))
    return retryLater(429, `EIAM is throttling requests (${code}); retry later`);
  if (outcome.status === "deferred")
    return retryLater(503, `the change could not be applied now (${code}); retry later`);
  if (NOT_FOUND.has(code)) return scimError(404, "no such user");
  if (code === "AmbiguousUser" || code.startsWith("ResourceDuplicated") || code === "IdempotencyKeyConflict")
    return scimError(409, `${code}: ${message}`, "uniqueness");
  if (error?.stage === "decode" || error?.stage === "validate") {
    const problems = error.problems ?? [];
    const detail =
      problems.length === 0
        ? message
        : problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join("; ");
    return scimError(400, detail, "invalidValue");
  }
  // Dead-lettered after the retries ran out: the client may try again later.
  if (error?.retryable) return retryLater(503, `EIAM did not answer in time (${code}); retry later`);
  // EIAM refused the change for good.
  return scimError(400, `EIAM refused the change (${code}): ${message}`, "invalidValue");
}

/** A backend call that threw: EIAM trouble is 429/503, anything else a 500 that reveals nothing. */
export function thrownResponse(error: unknown): HttpResponse {
  if (error instanceof FilterTooBroadError) return scimError(400, error.message, "tooMany");
  if (error instanceof RateLimiterUnavailableError)
    return retryLater(503, "the service is unavailable; retry later");
  if (error instanceof EiamError) {
    if (error.throttled) return retryLater(429, `EIAM is throttling requests (${error.code}); retry later`);
    if (error.retryable) return retryLater(503, `EIAM is unavailable (${error.code}); retry later`);
    return scimError(500, `EIAM refused the request (${error.code})`);
  }
  return scimError(500, "internal error");
}
