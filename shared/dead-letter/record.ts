/**
 * The dead-letter record, version 1: everything an operator needs to understand a failure and replay it.
 * Documented in docs/dead-letter.md; the zod schema is the source of truth and is exported as JSON Schema there.
 */
import * as z from "zod";

export const FailureStage = z.enum(["decode", "authenticate", "validate", "resolve", "apply"]);
export type FailureStage = z.infer<typeof FailureStage>;

export const DeadLetterError = z.object({
  stage: FailureStage,
  code: z.string(),
  message: z.string(),
  httpStatus: z.number().int().optional(),
  eiamRequestId: z.string().optional(),
  retryable: z.boolean(),
  problems: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
});
export type DeadLetterError = z.infer<typeof DeadLetterError>;

/** One EIAM operation of an event that needs several: done before the failure, the one that failed, or not tried. */
export const DeadLetterOperation = z.object({
  action: z.string(),
  /** Stable across redeliveries: the idempotency store remembers done operations by it. */
  id: z.string(),
  status: z.enum(["applied", "failed", "pending"]),
});
export type DeadLetterOperation = z.infer<typeof DeadLetterOperation>;

export const DeadLetterRecord = z.object({
  kind: z.literal("eiam-user-sync.dead-letter"),
  version: z.literal(1),
  /** The delivery exactly as received: a JSON value, or Base64 of the raw bytes when they are not JSON. */
  delivery: z.object({
    trigger: z.string(),
    deliveryId: z.string(),
    receivedAt: z.string(),
    encoding: z.enum(["json", "base64"]),
    /** For HTTP: the whole FC HTTP-trigger event; for queues: the one CloudEvent or notification; direct: the event. */
    original: z.unknown(),
  }),
  eventId: z.string().optional(),
  source: z.string().optional(),
  idempotencyKey: z.string().optional(),
  /** How the event named the user, and the EIAM user id when it was resolved. */
  userKey: z.unknown().optional(),
  userId: z.string().optional(),
  /** The normalized change, when parsing got that far. */
  change: z.unknown().optional(),
  error: DeadLetterError,
  /** For an event that needs several EIAM operations: each in order; a redrive resumes at the first not applied. */
  operations: z.array(DeadLetterOperation).optional(),
  attempts: z.number().int().min(0),
  firstSeenAt: z.string(),
  failedAt: z.string(),
  functionName: z.string().optional(),
  fcRequestId: z.string().optional(),
});
export type DeadLetterRecord = z.infer<typeof DeadLetterRecord>;
