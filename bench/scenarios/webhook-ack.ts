/**
 * Scenario 6 (webhook acknowledgement): how long a sender waits for its answer on a `sync` route (after EIAM)
 * and on an `enqueue` route (once the delivery is on the MNS source queue), p50 and p99 of the handler's wall
 * time per HTTP-trigger invocation, in one function worker (the bundle, SENDERS_FILE with both routes). EIAM
 * answers after `latencyMs` like a real region; the MNS emulator runs here. Events alternate between the
 * routes; each answer's status is checked (200 applied, 202 accepted).
 */
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startMnsEmulator } from "../../local/mns-emulator/server.ts";
import { type BenchContext, functionEnv, scaled, startFunctionWorker } from "../context.ts";
import { startBenchEmulator } from "../eiam.ts";
import { atMost, type Figure, figure, round } from "../figures.ts";
import { BENCH_CREDENTIALS, generateStream, seedUsers } from "../workload.ts";

export const WEBHOOK_ACK = {
  users: 50,
  latencyMs: 20,
  /** Feishu's and Okta's limit is 3 s; the enqueue route must answer far below it. */
  maxEnqueueP99Ms: 100,
} as const;

const QUEUE = "eiam-user-changes";

function httpEvent(path: string, body: string): string {
  return JSON.stringify({
    version: "v1",
    rawPath: path,
    body,
    isBase64Encoded: false,
    headers: { "content-type": "application/json" },
    queryParameters: {},
    requestContext: {
      accountId: "1234567890123456",
      domainName: "bench.cn-hangzhou.fcapp.run",
      http: { method: "POST", path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "bench" },
      requestId: randomUUID(),
      time: new Date().toISOString(),
      timeEpoch: String(Date.now()),
    },
  });
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export async function runWebhookAck(ctx: BenchContext): Promise<Figure[]> {
  const s = WEBHOOK_ACK;
  const users = scaled(ctx, s.users);
  const events = generateStream(users).slice(0, users * 4);
  ctx.settings.webhook_ack = { events: events.length, emulator_latency_ms: s.latencyMs };
  ctx.note(
    `[6] ${events.length} webhooks, alternating sync and enqueue routes, EIAM latency ${s.latencyMs} ms`,
  );

  const emulator = await startBenchEmulator(seedUsers(users));
  emulator.state.setFaults({ latencyMs: s.latencyMs });
  const mns = await startMnsEmulator({
    port: 0,
    credentials: [BENCH_CREDENTIALS],
    queues: [{ name: QUEUE }],
  });
  const sendersFile = join(ctx.build.dir, "bench-senders.json");
  const route = (path: string, ack: string) => ({
    path,
    methods: ["POST"],
    format: "canonical",
    ack,
    auth: { scheme: "none" },
  });
  writeFileSync(
    sendersFile,
    JSON.stringify({ routes: [route("/sync", "sync"), route("/enqueue", "enqueue")] }),
  );
  const worker = startFunctionWorker(
    ctx,
    "webhook-ack",
    functionEnv(ctx, emulator, {
      SENDERS_FILE: sendersFile,
      SOURCE_QUEUE: QUEUE,
      MNS_ENDPOINT: mns.url,
      MNS_ACCOUNT_ID: mns.accountId,
      LOG_LEVEL: "warn",
    }),
  );
  const wall: Record<"sync" | "enqueue", number[]> = { sync: [], enqueue: [] };
  // The first invocations load the core and warm the connections: not what a sender waits for later.
  const warmUp = Math.min(10, Math.floor(events.length / 4));
  try {
    await worker.ready;
    for (const [index, event] of events.entries()) {
      const ack = index % 2 === 0 ? "sync" : "enqueue";
      const result = await worker.invoke(httpEvent(`/${ack}`, JSON.stringify(event.canonical)), 30);
      const expected = ack === "sync" ? "http_200" : "http_202";
      if (!result.ok || !result.summary[expected]) {
        throw new Error(
          `${ack} route answered ${JSON.stringify(result.summary)} ${result.errorMessage ?? ""}`,
        );
      }
      if (index >= warmUp) wall[ack].push(result.wallMs);
    }
  } finally {
    await worker.finish().catch(() => undefined);
    await mns.close();
    await emulator.close();
  }
  return [
    figure(
      "webhook_ack.sync_p50_ms",
      "sync route: answer after EIAM, p50",
      round(percentile(wall.sync, 50), 1),
      "ms",
    ),
    figure("webhook_ack.sync_p99_ms", "sync route: p99", round(percentile(wall.sync, 99), 1), "ms"),
    figure(
      "webhook_ack.enqueue_p50_ms",
      "enqueue route: answer once queued, p50",
      round(percentile(wall.enqueue, 50), 1),
      "ms",
    ),
    figure(
      "webhook_ack.enqueue_p99_ms",
      "enqueue route: p99",
      round(percentile(wall.enqueue, 99), 1),
      "ms",
      atMost(s.maxEnqueueP99Ms),
    ),
  ];
}
