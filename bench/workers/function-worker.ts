/**
 * A child process that plays one FC instance: it loads the built bundle (configured only by its environment),
 * then invokes the handler for each event the benchmark sends, one at a time, the way the platform does.
 * Usage: node function-worker.mjs <bundle path>. Built with esbuild by the benchmark; plain node runs it.
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import {
  type FinishedMessage,
  type InvokeRequest,
  type InvokeResult,
  isWorkerRequest,
  type WorkerMessage,
  type WorkerRequest,
} from "./protocol.ts";

type Handler = (event: Buffer, context: Record<string, unknown>) => Promise<unknown>;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Tallies `{ results: [{status, error?: {code}}] }`, the batch answer (also carried by DeferredEventsError). */
function tally(answer: unknown): Pick<InvokeResult, "summary" | "errorCodes"> {
  const summary: Record<string, number> = {};
  const errorCodes: Record<string, number> = {};
  // An HTTP-trigger answer is counted by its status (`http_202`).
  if (isRecord(answer) && typeof answer.statusCode === "number") summary[`http_${answer.statusCode}`] = 1;
  const results = isRecord(answer) && Array.isArray(answer.results) ? answer.results : [];
  for (const outcome of results) {
    if (!isRecord(outcome) || typeof outcome.status !== "string") continue;
    summary[outcome.status] = (summary[outcome.status] ?? 0) + 1;
    const error = outcome.error;
    if (outcome.status !== "applied" && isRecord(error) && typeof error.code === "string") {
      errorCodes[error.code] = (errorCodes[error.code] ?? 0) + 1;
    }
  }
  return { summary, errorCodes };
}

function contextFor(request: InvokeRequest): Record<string, unknown> {
  return {
    requestId: randomUUID(),
    credentials: {
      accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
      accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    },
    function: {
      name: "eiam-user-sync",
      handler: "index.handler",
      memory: 128,
      timeout: request.timeoutSeconds,
    },
    region: "cn-hangzhou",
  };
}

async function invoke(handler: Handler, request: InvokeRequest): Promise<InvokeResult> {
  const event = Buffer.from(request.event);
  const context = contextFor(request);
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  let answer: unknown;
  let failure: unknown;
  try {
    answer = await handler(event, context);
  } catch (err) {
    failure = err;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - startedAt;
  const base = { type: "invoked" as const, id: request.id, cpuMicros: cpu.user + cpu.system, wallMs };
  if (failure === undefined) return { ...base, ok: true, ...tally(answer) };
  const error = failure instanceof Error ? failure : new Error(String(failure));
  const carried = isRecord(failure) ? failure.result : undefined;
  return { ...base, ok: false, errorName: error.name, errorMessage: error.message, ...tally(carried) };
}

async function main(): Promise<void> {
  const bundle = process.argv[2];
  if (!bundle) throw new Error("usage: function-worker.mjs <bundle path>");
  const mod: unknown = await import(pathToFileURL(bundle).href);
  const handler = isRecord(mod) ? mod.handler : undefined;
  if (typeof handler !== "function") throw new Error(`${bundle} does not export a handler function`);

  let queue = Promise.resolve();
  process.on("message", (message: unknown) => {
    if (!isWorkerRequest(message)) throw new Error(`unknown message ${JSON.stringify(message)}`);
    // One invocation at a time, in arrival order: an FC instance with instance concurrency 1.
    queue = queue.then(() => handle(handler as Handler, message));
  });
  send({ type: "ready", rssKb: Math.round(process.memoryUsage.rss() / 1024) });
}

function finished(): FinishedMessage {
  const { heapTotal, heapUsed, external } = process.memoryUsage();
  const maxRssKb = process.resourceUsage().maxRSS;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return {
    type: "finished",
    maxRssKb,
    heapTotal,
    heapUsed,
    external,
    ...(gc ? { liveHeapAfterGc: process.memoryUsage().heapUsed } : {}),
  };
}

async function handle(handler: Handler, message: WorkerRequest): Promise<void> {
  if (message.type === "invoke") {
    send(await invoke(handler, message));
  } else if (message.type === "finish") {
    send(finished());
    process.disconnect?.();
    // The runtime keeps sockets (EIAM keep-alive, Redis) open, as a warm FC instance does; leave anyway.
    setTimeout(() => process.exit(0), 50);
  } else {
    throw new Error(`a function worker does not take "${message.type}" requests`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `function worker failed: ${err instanceof Error ? (err.stack ?? err.message) : err}\n`,
  );
  process.exit(1);
});
