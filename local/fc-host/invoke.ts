/** Calls a handler the way FC does: the event as a Buffer, a context with the role's credentials and the timeout. */
import { randomUUID } from "node:crypto";

export type FcHandler = (event: Buffer, context: Record<string, unknown>) => Promise<unknown>;

export interface LocalFunction {
  name: string;
  timeoutSeconds: number;
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  region: string;
}

export function fcContext(fn: LocalFunction, requestId: string = randomUUID()): Record<string, unknown> {
  return {
    requestId,
    credentials: fn.credentials,
    function: { name: fn.name, handler: "index.handler", memory: 128, timeout: fn.timeoutSeconds },
    service: { name: fn.name },
    region: fn.region,
    accountId: "1234567890123456",
  };
}

/** FC's answer to an invocation whose handler threw (reference: fc3.md §4). */
export function unhandledError(err: unknown): { errorMessage: string; errorType: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  return { errorMessage: e.message, errorType: e.name };
}

export async function invoke(handler: FcHandler, fn: LocalFunction, event: Buffer, requestId?: string) {
  try {
    return { ok: true as const, result: await handler(event, fcContext(fn, requestId)) };
  } catch (err) {
    return { ok: false as const, error: unhandledError(err) };
  }
}
