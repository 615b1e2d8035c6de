/**
 * Scenario 5 (scale-out): four function processes share the scenario-1 stream through Redis (idempotency
 * records, user leases and the fleet-wide EIAM token bucket, EIAM_MAX_QPS being the fleet total). Each batch
 * goes to whichever process is free; 10 % of the batches are also delivered to a second, different process at
 * the same time. An invocation that fails (DeferredEventsError: events handed back) is delivered again later,
 * to any process, as the platform does. Correctness: each user's final EIAM state is its last event, and no
 * event is applied twice.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { deleteKeysWithPrefix } from "../../test/helpers/redis.ts";
import { type BenchContext, functionEnv, scaled, startFunctionWorker } from "../context.ts";
import { analyzeLog, checkOracle, startBenchEmulator } from "../eiam.ts";
import { exactly, type Figure, figure, round } from "../figures.ts";
import { mnsQueueBatch } from "../mns-batch.ts";
import type { WorkerProcess } from "../worker-process.ts";
import { chunk, generateStream, oracle, seedUsers } from "../workload.ts";
import { addSummary, callLimit, THROUGHPUT } from "./throughput.ts";

export const SCALE_OUT = {
  processes: 4,
  duplicateShare: 0.1,
  /** How long the platform waits before delivering a failed invocation again (EventBridge backs off too). */
  redeliveryDelayMs: 200,
  maxAttempts: 20,
} as const;

interface Delivery {
  batch: number;
  /** The process that must NOT take it (the other copy of a duplicated batch went there). */
  avoid?: number;
  attempt: number;
  notBefore: number;
  duplicateOf?: number;
}

/** The batches delivered twice: evenly spread over the stream, at least one. */
export function duplicatedBatches(batches: number, share: number): Set<number> {
  const count = Math.max(1, Math.round(batches * share));
  return new Set(Array.from({ length: count }, (_, i) => Math.floor(((i + 0.5) * batches) / count)));
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    return await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

async function requireRedis(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, {
    maxRetriesPerRequest: 0,
    lazyConnect: true,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(
      `scenario 5 needs Redis at ${redisUrl} (set REDIS_URL): ${err instanceof Error ? err.message : err}`,
    );
  } finally {
    redis.disconnect();
  }
}

export async function runScaleOut(ctx: BenchContext): Promise<Figure[]> {
  const s = SCALE_OUT;
  const t = THROUGHPUT;
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  await requireRedis(redisUrl);
  const users = scaled(ctx, t.users);
  const events = generateStream(users);
  const batches = chunk(events, t.batchSize).map((b) =>
    mnsQueueBatch(b.map((e) => JSON.stringify(e.canonical))),
  );
  const duplicated = duplicatedBatches(batches.length, s.duplicateShare);
  const prefix = `eiam-user-sync-bench:${process.pid}-${randomUUID().slice(0, 8)}:`;
  ctx.settings.scale_out = {
    processes: s.processes,
    events: events.length,
    batches: batches.length,
    batches_delivered_twice: duplicated.size,
    EIAM_MAX_QPS_fleet: t.maxQps,
    EIAM_MAX_CONCURRENCY_per_process: t.maxConcurrency,
    redelivery_delay_ms: s.redeliveryDelayMs,
    IDEMPOTENCY_KEY_PREFIX: prefix,
  };
  ctx.note(
    `[5] scale-out: ${s.processes} processes, ${batches.length} batches (${duplicated.size} delivered twice), Redis ${redisUrl}`,
  );

  const emulator = await startBenchEmulator(seedUsers(users));
  const workers: WorkerProcess[] = [];
  try {
    emulator.state.setFaults({ latencyMs: t.latencyMs, qpsCap: t.qpsCap });
    const env = functionEnv(ctx, emulator, {
      EIAM_MAX_QPS: String(t.maxQps),
      EIAM_MAX_CONCURRENCY: String(t.maxConcurrency),
      IDEMPOTENCY_STORE: "redis",
      REDIS_URL: redisUrl,
      IDEMPOTENCY_KEY_PREFIX: prefix,
    });
    for (let i = 0; i < s.processes; i++)
      workers.push(startFunctionWorker(ctx, `function ${i + 1} (scenario 5)`, env));
    await Promise.all(workers.map((w) => w.ready));

    const queue: Delivery[] = batches.map((_, batch) => ({ batch, attempt: 1, notBefore: 0 }));
    const summary: Record<string, number> = {};
    const errorCodes: Record<string, number> = {};
    let deliveries = 0;
    let redeliveries = 0;
    let gaveUp = 0;
    let inFlight = 0;

    const take = (worker: number): Delivery | undefined => {
      const now = Date.now();
      const i = queue.findIndex((d) => d.avoid !== worker && d.notBefore <= now);
      return i < 0 ? undefined : queue.splice(i, 1)[0];
    };
    const startedAt = Date.now();
    const t0 = performance.now();
    await Promise.all(
      workers.map(async (w, index) => {
        for (;;) {
          const delivery = take(index);
          if (delivery === undefined) {
            if (queue.length === 0 && inFlight === 0) return;
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          inFlight += 1;
          deliveries += 1;
          if (
            delivery.attempt === 1 &&
            delivery.duplicateOf === undefined &&
            duplicated.has(delivery.batch)
          ) {
            // The second copy goes to another process now, while this one works on the first.
            queue.unshift({
              batch: delivery.batch,
              attempt: 1,
              notBefore: 0,
              avoid: index,
              duplicateOf: delivery.batch,
            });
          }
          const result = await w.invoke(batches[delivery.batch]!, t.timeoutSeconds);
          addSummary(summary, result.summary);
          addSummary(errorCodes, result.errorCodes);
          if (!result.ok) {
            if (delivery.attempt >= s.maxAttempts) gaveUp += 1;
            else {
              redeliveries += 1;
              queue.push({
                batch: delivery.batch,
                attempt: delivery.attempt + 1,
                notBefore: Date.now() + s.redeliveryDelayMs,
              });
            }
          }
          inFlight -= 1;
        }
      }),
    );
    const wallMs = performance.now() - t0;
    await Promise.all(workers.map((w) => w.finish()));
    workers.length = 0;

    const log = analyzeLog(emulator.state.requestLog, startedAt);
    const check = checkOracle(emulator, oracle(events));
    if (check.example) ctx.note(`  final state differs: ${check.example}`);
    ctx.note(`  outcome error codes: ${JSON.stringify(errorCodes)}`);
    const limit = callLimit(t.qpsCap, t.maxConcurrency * s.processes, t.latencyMs);
    const callsPerSecond = log.succeeded / (wallMs / 1000);
    const deleted = await deleteKeys(redisUrl, prefix);
    return [
      figure("scale_out.processes", "function processes", s.processes),
      figure("scale_out.events", "events (unique)", events.length),
      figure(
        "scale_out.events_per_s",
        "unique events per second",
        round(events.length / (wallMs / 1000), 1),
        "ev/s",
      ),
      figure(
        "scale_out.max_admitted_in_1s",
        "most EIAM calls admitted in any rolling second",
        log.maxAdmittedInOneSecond,
      ),
      figure(
        "scale_out.eiam_calls_per_s",
        "admitted EIAM calls per second",
        round(callsPerSecond, 1),
        "calls/s",
      ),
      figure("scale_out.ratio_to_limit", "achieved ÷ limit (informational)", round(callsPerSecond / limit)),
      figure("scale_out.throttled_calls", "throttled EIAM calls", log.throttled),
      figure(
        "scale_out.throttled_after_first_s",
        "throttled calls after the first second",
        log.throttledAfterFirstSecond,
      ),
      figure("scale_out.deliveries", "invocations (incl. duplicates and redeliveries)", deliveries),
      figure("scale_out.batches_delivered_twice", "batches delivered to two processes", duplicated.size),
      figure("scale_out.redeliveries", "invocations delivered again after failing", redeliveries),
      figure("scale_out.duplicates_detected", "events answered `duplicate`", summary.duplicate ?? 0),
      figure("scale_out.deferred", "events handed back (`deferred`)", summary.deferred ?? 0),
      figure("scale_out.stale", "events skipped as older (`stale`)", summary.stale ?? 0),
      figure("scale_out.applied", "events answered `applied`", summary.applied ?? 0),
      figure(
        "scale_out.dead_lettered",
        "events dead-lettered",
        summary.dead_lettered ?? 0,
        undefined,
        exactly(0),
      ),
      figure(
        "scale_out.gave_up",
        "batches still failing after the last redelivery",
        gaveUp,
        undefined,
        exactly(0),
      ),
      figure(
        "scale_out.events_applied_twice",
        "events applied by two UpdateUser calls",
        log.eventsAppliedTwice,
        undefined,
        exactly(0),
      ),
      figure(
        "scale_out.users_out_of_order",
        "users whose UpdateUser calls are out of event order",
        log.usersOutOfOrder,
      ),
      figure(
        "scale_out.users_wrong_final_state",
        "users whose final EIAM state ≠ their last event",
        check.mismatched,
        undefined,
        exactly(0),
      ),
      figure("scale_out.redis_keys_deleted", "Redis keys removed after the run", deleted),
    ];
  } finally {
    for (const w of workers) w.kill();
    await emulator.close();
    await deleteKeys(redisUrl, prefix).catch(() => 0);
  }
}
