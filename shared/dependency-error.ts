/**
 * A part the function depends on to keep its promises (the idempotency store, the fleet-wide rate limiter) could
 * not answer. Such an error is never an event's outcome: it fails the invocation, so that the platform delivers
 * the events again once the part is back (fail closed). Retry loops let it through untouched.
 */
export class DependencyUnavailableError extends Error {}
