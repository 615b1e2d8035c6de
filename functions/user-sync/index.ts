/**
 * FC 3.0 entry (handler `index.handler`, initializer `index.initializer`): the middy chain and nothing else.
 * Loading this file does almost nothing: the function's code (its SDKs and schemas) is loaded and the runtime
 * (config, clients, stores) built once per instance, by FC's initializer when it is configured
 * (`instanceLifecycleConfig` in s.yaml), else on the first invocation. Either way the instance logs one
 * "cold start" line with the heap limit it got.
 */
import middy, { type MiddlewareObj } from "@middy/core";
import type { FcContext } from "../../shared/handler/fc-context.ts";
import type { Runtime } from "../../shared/handler/runtime.ts";

type Core = typeof import("../../shared/handler/core.ts");
interface Instance {
  core: Core;
  runtime: Runtime;
}

/** What the middlewares add to FC's context for the core (middy's way to pass things to the handler). */
type Context = FcContext & { invocation?: Instance & { startedAt: number } };

let instance: Instance | undefined;
let building: Promise<Instance> | undefined;

async function build(context: FcContext, by: "initializer" | "invocation"): Promise<Instance> {
  const started = performance.now();
  const core = await import("../../shared/handler/core.ts");
  const runtime = core.createRuntime(process.env);
  runtime.logger.info("cold start", {
    ...core.instanceFacts(context.function?.memory),
    initMs: Math.round(performance.now() - started),
    by,
  });
  instance = { core, runtime };
  return instance;
}

/** Builds the instance once; a failed build (a bad setting) is tried again by the next call. */
function ensureInstance(context: FcContext, by: "initializer" | "invocation"): Promise<Instance> {
  building ??= build(context, by).catch((err: unknown) => {
    building = undefined;
    throw err;
  });
  return building;
}

/** FC's instance initializer: runs once, before the instance takes its first invocation. */
export const initializer = async (context: FcContext): Promise<void> => {
  await ensureInstance(context, "initializer");
};

/** Notes when the invocation started (for the deadline) and, without an initializer, builds the instance. */
const coldStart: MiddlewareObj<Buffer, unknown, Error, Context> = {
  before: async (request) => {
    const startedAt = Date.now();
    const ready = instance ?? (await ensureInstance(request.context, "invocation"));
    request.context.invocation = { ...ready, startedAt };
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
