/**
 * FC 3.0 entry (handler `index.handler`): the middy chain and nothing else.
 * The runtime (config, clients, stores) is built once per instance, on the first invocation.
 */
import middy, { type MiddlewareObj } from "@middy/core";
import type { FcContext } from "../../shared/handler/fc-context.ts";
import { handleInvocation } from "../../shared/handler/handle-invocation.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";

/** What the middlewares add to FC's context for the core (middy's way to pass things to the handler). */
type Context = FcContext & { invocation?: { runtime: Runtime; startedAt: number } };

let runtime: Runtime | undefined;

/** Notes when the invocation started (for the deadline) and builds the runtime on a cold start. */
const coldStart: MiddlewareObj<Buffer, unknown, Error, Context> = {
  before: (request) => {
    const startedAt = Date.now();
    runtime ??= createRuntime(process.env);
    request.context.invocation = { runtime, startedAt };
  },
};

/** Logs a failed invocation once, with the FC request id, and lets FC see the error (so it retries). */
const errorLogger: MiddlewareObj<Buffer, unknown, Error, Context> = {
  onError: (request) => {
    const fields = {
      fcRequestId: request.context.requestId,
      error: request.error?.name,
      message: request.error?.message,
    };
    if (runtime) runtime.logger.error("invocation failed", fields);
    else process.stderr.write(`${JSON.stringify({ level: "error", msg: "invocation failed", ...fields })}\n`);
  },
};

export const handler = middy<Buffer, unknown, Error, Context>({ timeoutEarlyInMillis: 0 })
  .use(coldStart)
  .use(errorLogger)
  .handler((event, context) => {
    const { runtime, startedAt } = context.invocation!;
    const bytes = Buffer.isBuffer(event) ? event : Buffer.from(JSON.stringify(event));
    return handleInvocation(bytes, context, runtime, startedAt);
  });
