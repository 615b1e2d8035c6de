/**
 * A child process that calls EIAM UpdateUser with `@alicloud/openapi-client` and nothing else: no parsing, no
 * validation, no idempotency, no rate limit. The benchmark's yardstick for "what the SDK call alone costs".
 * Configured by BENCH_EIAM_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET.
 */
import OpenApiModule, { Config, OpenApiRequest, Params } from "@alicloud/openapi-client";
import OpenApiUtilModule from "@alicloud/openapi-util";
import { RuntimeOptions } from "@alicloud/tea-util";
import { type CallsRequest, type CallsResult, isWorkerRequest, type WorkerMessage } from "./protocol.ts";

// CommonJS packages with `exports.default`: Node's loader hands us module.exports, other interops the default.
function commonJsDefault<T>(mod: { default: T }): T {
  return (mod as { default?: T }).default ?? (mod as unknown as T);
}
const OpenApiClient = commonJsDefault(OpenApiModule);
const OpenApiUtil = commonJsDefault(OpenApiUtilModule);

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const client = new OpenApiClient(
  new Config({
    accessKeyId: requiredEnv("ALIBABA_CLOUD_ACCESS_KEY_ID"),
    accessKeySecret: requiredEnv("ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
    endpoint: requiredEnv("BENCH_EIAM_ENDPOINT"),
    protocol: "http",
    readTimeout: 5000,
    connectTimeout: 2000,
  }),
);

async function updateUser(query: Record<string, unknown>): Promise<void> {
  const params = new Params({
    action: "UpdateUser",
    version: "2021-12-01",
    protocol: "HTTPS",
    pathname: "/",
    method: "POST",
    authType: "AK",
    style: "RPC",
    reqBodyType: "formData",
    bodyType: "json",
  });
  const request = new OpenApiRequest({ query: OpenApiUtil.query(query) });
  await client.callApi(params, request, new RuntimeOptions({ autoretry: false }));
}

async function calls(message: CallsRequest): Promise<CallsResult> {
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const worker = async () => {
    while (next < message.params.length) {
      const query = message.params[next++]!;
      try {
        await updateUser(query);
        ok += 1;
      } catch (err) {
        failed += 1;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, message.concurrency) }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  return {
    type: "called",
    id: message.id,
    ok,
    failed,
    ...(firstError !== undefined ? { firstError } : {}),
    cpuMicros: cpu.user + cpu.system,
    wallMs: performance.now() - startedAt,
  };
}

let queue = Promise.resolve();
process.on("message", (message: unknown) => {
  if (!isWorkerRequest(message)) throw new Error(`unknown message ${JSON.stringify(message)}`);
  queue = queue.then(async () => {
    if (message.type === "calls") {
      send(await calls(message));
    } else if (message.type === "finish") {
      const { heapTotal, heapUsed, external } = process.memoryUsage();
      send({ type: "finished", maxRssKb: process.resourceUsage().maxRSS, heapTotal, heapUsed, external });
      process.disconnect?.();
      setTimeout(() => process.exit(0), 50);
    } else {
      throw new Error(`a bare-SDK worker does not take "${message.type}" requests`);
    }
  });
});
send({ type: "ready", rssKb: Math.round(process.memoryUsage.rss() / 1024) });
