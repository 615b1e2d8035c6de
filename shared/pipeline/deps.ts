import type { DeadLetterPublisher } from "../dead-letter/publisher.ts";
import type { EiamClient } from "../eiam/client.ts";
import type { RetryPolicy } from "../eiam/retry.ts";
import type { IdempotencyStore } from "../idempotency/store.ts";
import type { Logger } from "../log.ts";
import type { RateLimiter } from "../rate-limit/limiter.ts";
import type { OrganizationalUnitResolver } from "../resolve/ou-resolver.ts";
import type { UserResolver } from "../resolve/user-resolver.ts";

/** Everything the pipeline talks to, passed in so that tests and the local host can choose real implementations. */
export interface PipelineDeps {
  eiam: EiamClient;
  resolver: UserResolver;
  /** Looks up OU references; default one per EIAM client, over ListOrganizationalUnits. */
  ouResolver?: OrganizationalUnitResolver;
  store: IdempotencyStore;
  limiter: RateLimiter;
  deadLetters: DeadLetterPublisher;
  logger: Logger;
  retry: RetryPolicy;
  maxConcurrency: number;
  /** How long completed idempotency records and field versions are kept. */
  recordTtlSeconds: number;
  now: () => number;
  random?: () => number;
  /**
   * Answer an event that was dead-lettered before (same key, same payload) as a duplicate. Off for a redrive,
   * which exists to run such an event again.
   */
  recallDeadLetters: boolean;
}
