/**
 * Calls a handler the way FC does: the event as a Buffer, a context with the role's credentials and the
 * timeout, and FC's error body when the handler throws or runs past its timeout (reference: fc3.md §1, §4).
 */
import { randomUUID } from "node:crypto";

export type FcHandler = (event: Buffer, context: Record<string, unknown>) => Promise<unknown>;

export interface LocalFunction {
  name: string;
  timeoutSeconds: number;
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  region: string;
  accountId?: string;
}

export const LOCAL_ACCOUNT_ID = "1234567890123456";

export function fcContext(fn: LocalFunction, requestId: string = randomUUID()): Record<string, unknown> {
  return {
    requestId,
    credentials: fn.credentials,
    function: { name: fn.name, handler: "index.handler", memory: 128, timeout: fn.timeoutSeconds },
    service: { name: fn.name },
    region: fn.region,
    accountId: fn.accountId ?? LOCAL_ACCOUNT_ID,
  };
}

/** FC's body for an invocation whose handler threw (`x-fc-error-type: UnhandledInvocationError`). */
export interface FcErrorBody {
  errorMessage: string;
  errorType: string;
  stackTrace?: string[];
}

export function unhandledError(err: unknown): FcErrorBody {
  const e = err instanceof Error ? err : new Error(String(err));
  const stackTrace = e.stack?.split("\n").slice(0, 20);
  return { errorMessage: e.message, errorType: e.name, ...(stackTrace ? { stackTrace } : {}) };
}

export type InvokeOutcome =
  | { ok: true; result: unknown; requestId: string }
  | { ok: false; error: FcErrorBody; requestId: string };

class FunctionTimeout extends Error {
  override readonly name = "FunctionTimeout";
}

/** Runs the handler once; never throws. A handler still running at its timeout is reported as failed. */
export async function invoke(
  handler: FcHandler,
  fn: LocalFunction,
  event: Buffer,
  requestId: string = randomUUID(),
): Promise<InvokeOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new FunctionTimeout(`Function timed out after ${fn.timeoutSeconds} seconds`)),
      fn.timeoutSeconds * 1000,
    );
  });
  try {
    const result = await Promise.race([handler(event, fcContext(fn, requestId)), timeout]);
    return { ok: true, result, requestId };
  } catch (err) {
    return { ok: false, error: unhandledError(err), requestId };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How FC turns a handler's return value into response bytes: a Buffer as is, a string as text,
 * anything else as JSON (reference: fc3.md §1; applying the rule to async handlers is UNCONFIRMED there).
 */
export function encodeResult(result: unknown): { body: Buffer; contentType: string } {
  if (Buffer.isBuffer(result)) return { body: result, contentType: "application/octet-stream" };
  if (typeof result === "string")
    return { body: Buffer.from(result), contentType: "text/plain; charset=utf-8" };
  if (result === undefined) return { body: Buffer.alloc(0), contentType: "application/octet-stream" };
  return { body: Buffer.from(JSON.stringify(result)), contentType: "application/json" };
}
