/**
 * FC 3.0 entry (handler `index.handler`): the middy chain and nothing else.
 * Loading this file does almost nothing: the function's code (its SDKs and schemas) is loaded and the runtime
 * (config, clients, stores) built on the first invocation, so that FC's instance start stays short.
 */
import middy, { type MiddlewareObj } from "@middy/core";
import type { FcContext } from "../../shared/handler/fc-context.ts";
import type { Runtime } from "../../shared/handler/runtime.ts";

type Core = typeof import("../../shared/handler/core.ts");

/** What the middlewares add to FC's context for the core (middy's way to pass things to the handler). */
type Context = FcContext & { invocation?: { core: Core; runtime: Runtime; startedAt: number } };

let instance: { core: Core; runtime: Runtime } | undefined;

/** Notes when the invocation started (for the deadline) and, on a cold start, loads the core and builds the runtime. */
const coldStart: MiddlewareObj<Buffer, unknown, Error, Context> = {
  before: async (request) => {
    const startedAt = Date.now();
    if (instance === undefined) {
      const core = await import("../../shared/handler/core.ts");
      instance = { core, runtime: core.createRuntime(process.env) };
    }
    request.context.invocation = { ...instance, startedAt };
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
    if (instance) instance.runtime.logger.error("invocation failed", fields);
    else process.stderr.write(`${JSON.stringify({ level: "error", msg: "invocation failed", ...fields })}\n`);
  },
};

export const handler = middy<Buffer, unknown, Error, Context>({ timeoutEarlyInMillis: 0 })
  .use(coldStart)
  .use(errorLogger)
  .handler((event, context) => {
    const { core, runtime, startedAt } = context.invocation!;
    const bytes = Buffer.isBuffer(event) ? event : Buffer.from(JSON.stringify(event));
    return core.handleInvocation(bytes, context, runtime, startedAt);
  });
