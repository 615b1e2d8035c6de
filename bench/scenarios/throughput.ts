/**
 * Scenario 1 (throughput at the quota) and scenario 4 (memory), measured on the same run.
 *
 * 500 users × 10 events in 50 EventBridge batches of 100, invoked one after another on one function process
 * (a child, so that its RSS is its own and its log lines stay out of the table); EIAM (the emulator, in this
 * process) answers after 20 ms and admits 500 requests per rolling second. Then a naive baseline: the first
 * 500 events, one bare-SDK UpdateUser at a time, against a fresh emulator with the same settings.
 */

import {
  type BenchContext,
  functionEnv,
  scaled,
  startBareSdkWorker,
  startFunctionWorker,
} from "../context.ts";
import { analyzeLog, checkOracle, startBenchEmulator } from "../eiam.ts";
import { atLeast, atMost, exactly, type Figure, figure, round } from "../figures.ts";
import { createMemoryCgroup } from "../memory-cgroup.ts";
import { mnsQueueBatch } from "../mns-batch.ts";
import { configuredMemoryMb } from "../s-yaml-memory.ts";
import type { InvokeResult } from "../workers/protocol.ts";
import { chunk, generateStream, oracle, seedUsers, updateUserParams } from "../workload.ts";

export const THROUGHPUT = {
  users: 500,
  batchSize: 100,
  latencyMs: 20,
  qpsCap: 500,
  maxQps: 490,
  maxConcurrency: 32,
  timeoutSeconds: 300,
  naiveEvents: 500,
  /** An invocation that failed is delivered again, like the platform does, at most this many times. */
  maxRedeliveries: 3,
  memoryLimitMb: 96,
  minThroughputRatio: 0.95,
} as const;

/** min(QPS cap, concurrency ÷ latency), in calls per second. */
export function callLimit(qpsCap: number, concurrency: number, latencyMs: number): number {
  return Math.min(qpsCap, concurrency / (latencyMs / 1000));
}

export function addSummary(total: Record<string, number>, part: Record<string, number>): void {
  for (const [k, v] of Object.entries(part)) total[k] = (total[k] ?? 0) + v;
}

export async function runThroughput(
  ctx: BenchContext,
  want: { throughput: boolean; memory: boolean },
): Promise<Figure[]> {
  const s = THROUGHPUT;
  const users = scaled(ctx, s.users);
  const events = generateStream(users);
  const batches = chunk(events, s.batchSize).map((b) =>
    mnsQueueBatch(b.map((e) => JSON.stringify(e.canonical))),
  );
  const limit = callLimit(s.qpsCap, s.maxConcurrency, s.latencyMs);
  const memoryMb = configuredMemoryMb();
  ctx.settings.throughput = {
    users,
    events: events.length,
    batches: batches.length,
    batch_size: s.batchSize,
    emulator_latency_ms: s.latencyMs,
    emulator_qps_cap: s.qpsCap,
    EIAM_MAX_QPS: s.maxQps,
    EIAM_MAX_CONCURRENCY: s.maxConcurrency,
    invocation_timeout_s: s.timeoutSeconds,
  };
  ctx.note(
    `[1+4] ${events.length} events in ${batches.length} batches, EIAM_MAX_QPS=${s.maxQps}, EIAM_MAX_CONCURRENCY=${s.maxConcurrency}`,
  );

  // FC's smallest instance: the function runs in a memory cgroup of that size when the machine allows.
  const cgroup = ctx.memoryLimitMb > 0 ? createMemoryCgroup(ctx.memoryLimitMb) : undefined;
  const inCgroup = cgroup !== undefined && !("unavailable" in cgroup) ? cgroup : undefined;
  if (cgroup !== undefined && "unavailable" in cgroup) {
    ctx.note(`  no ${ctx.memoryLimitMb} MB memory cgroup (${cgroup.unavailable}): running without one`);
  }
  ctx.settings.throughput!.memory_cgroup_mb = inCgroup ? `${inCgroup.limitMb} (${inCgroup.version})` : "none";

  const emulator = await startBenchEmulator(seedUsers(users));
  const figures: Figure[] = [];
  try {
    emulator.state.setFaults({ latencyMs: s.latencyMs, qpsCap: s.qpsCap });
    const worker = startFunctionWorker(
      ctx,
      "function (scenario 1)",
      functionEnv(ctx, emulator, {
        EIAM_MAX_QPS: String(s.maxQps),
        EIAM_MAX_CONCURRENCY: String(s.maxConcurrency),
      }),
      inCgroup?.procsFile,
    );
    let ready: Awaited<typeof worker.ready>;
    const summary: Record<string, number> = {};
    const errorCodes: Record<string, number> = {};
    let redeliveries = 0;
    let failedInvocations = 0;
    let startedAt = 0;
    let wallMs = 0;
    let functionCpuMicros = 0;
    let parentCpu: NodeJS.CpuUsage = { user: 0, system: 0 };
    try {
      ready = await worker.ready;
      startedAt = Date.now();
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      for (const batch of batches) {
        let result: InvokeResult | undefined;
        for (let attempt = 0; attempt <= s.maxRedeliveries; attempt++) {
          if (attempt > 0) redeliveries += 1;
          result = await worker.invoke(batch, s.timeoutSeconds);
          addSummary(summary, result.summary);
          addSummary(errorCodes, result.errorCodes);
          functionCpuMicros += result.cpuMicros;
          if (result.ok) break;
        }
        if (!result?.ok) failedInvocations += 1;
      }
      wallMs = performance.now() - t0;
      parentCpu = process.cpuUsage(cpu0);
    } catch (err) {
      worker.kill();
      throw err;
    }
    const finished = await worker.finish();
    const log = analyzeLog(emulator.state.requestLog, startedAt);
    const check = checkOracle(emulator, oracle(events));
    if (check.example) ctx.note(`  final state differs: ${check.example}`);
    if (Object.keys(errorCodes).length > 0) ctx.note(`  outcome errors: ${JSON.stringify(errorCodes)}`);
    const seconds = wallMs / 1000;
    const callsPerSecond = log.succeeded / seconds;

    if (want.throughput) {
      const naive = await runNaiveBaseline(ctx, events.slice(0, scaled(ctx, s.naiveEvents)));
      const eventsPerSecond = events.length / seconds;
      figures.push(
        figure("throughput.events", "events delivered", events.length),
        figure("throughput.events_per_s", "events applied per second", round(eventsPerSecond, 1), "ev/s"),
        figure("throughput.eiam_calls", "EIAM calls (request log)", log.calls),
        figure("throughput.update_user_ok", "UpdateUser calls answered 200", log.updateUserSucceeded),
        figure("throughput.throttled_calls", "throttled EIAM calls", log.throttled),
        figure(
          "throughput.throttled_after_first_s",
          "throttled calls after the first second",
          log.throttledAfterFirstSecond,
          undefined,
          exactly(0),
        ),
        figure(
          "throughput.max_admitted_in_1s",
          "most EIAM calls admitted in any rolling second",
          log.maxAdmittedInOneSecond,
        ),
        figure(
          "throughput.eiam_calls_per_s",
          "admitted EIAM calls per second",
          round(callsPerSecond, 1),
          "calls/s",
        ),
        figure("throughput.limit_calls_per_s", "limit = min(cap, concurrency ÷ latency)", limit, "calls/s"),
        figure(
          "throughput.ratio_to_limit",
          "achieved ÷ limit",
          round(callsPerSecond / limit),
          undefined,
          atLeast(s.minThroughputRatio),
        ),
        figure(
          "throughput.applied",
          "applied outcomes",
          summary.applied ?? 0,
          undefined,
          exactly(events.length),
        ),
        figure("throughput.redeliveries", "invocations delivered again (failed)", redeliveries),
        figure(
          "throughput.failed_invocations",
          "batches still failing after redelivery",
          failedInvocations,
          undefined,
          exactly(0),
        ),
        figure(
          "throughput.users_out_of_order",
          "users whose UpdateUser calls are out of event order",
          log.usersOutOfOrder,
          undefined,
          exactly(0),
        ),
        figure(
          "throughput.users_wrong_final_state",
          "users whose final EIAM state ≠ their last event",
          check.mismatched,
          undefined,
          exactly(0),
        ),
        figure(
          "throughput.function_cpu_percent",
          "function process CPU busy (of one core)",
          round((functionCpuMicros / 1000 / wallMs) * 100, 1),
          "%",
        ),
        figure(
          "throughput.function_ms_per_event",
          "the function's own time per event (its process CPU)",
          round(functionCpuMicros / 1000 / events.length, 3),
          "ms",
        ),
        figure(
          "throughput.eiam_ms_per_event",
          "EIAM's time per event (its answer time, summed over the event's calls)",
          round(emulator.state.requestLog.reduce((sum, e) => sum + e.durationMs, 0) / events.length, 2),
          "ms",
        ),
        figure(
          "throughput.gb_s_per_1000_events",
          `GB-seconds per 1,000 events at memorySize ${memoryMb} MB (s.yaml): invocation time × memory`,
          round((seconds * (memoryMb / 1024) * 1000) / events.length, 3),
          "GB·s",
        ),
        figure(
          "throughput.emulator_cpu_percent",
          "emulator (bench process) CPU busy (of one core)",
          round(((parentCpu.user + parentCpu.system) / 1000 / wallMs) * 100, 1),
          "%",
        ),
        figure("throughput.naive_events", "naive baseline: events", naive.events),
        figure(
          "throughput.naive_events_per_s",
          "naive baseline: one UpdateUser at a time",
          round(naive.eventsPerSecond, 1),
          "ev/s",
        ),
        figure(
          "throughput.speedup_vs_naive",
          "speed-up over the naive baseline",
          round(eventsPerSecond / naive.eventsPerSecond, 2),
          "×",
        ),
      );
    }
    if (want.memory) {
      figures.push(
        figure(
          "memory.rss_after_load_mb",
          "RSS after loading the bundle",
          round(ready.rssKb / 1024, 1),
          "MB",
        ),
        figure(
          "memory.peak_rss_mb",
          "peak RSS of the function process (scenario 1)",
          round(finished.maxRssKb / 1024, 1),
          "MB",
          atMost(s.memoryLimitMb),
        ),
        figure(
          "memory.heap_used_at_end_mb",
          "V8 heap used at the end",
          round(finished.heapUsed / 2 ** 20, 1),
          "MB",
        ),
        figure(
          "memory.live_heap_after_gc_mb",
          "V8 heap still live after a full GC at the end",
          round((finished.liveHeapAfterGc ?? Number.NaN) / 2 ** 20, 1),
          "MB",
        ),
        figure("memory.log_lines", "log lines the function wrote", worker.stdoutLines),
      );
      if (inCgroup) {
        const stats = inCgroup.stats();
        figures.push(
          figure(
            "memory.cgroup_limit_mb",
            `memory cgroup (${inCgroup.version}) around the function`,
            inCgroup.limitMb,
            "MB",
          ),
          figure(
            "memory.cgroup_max_usage_mb",
            "most memory the cgroup charged (RSS + page cache)",
            round(stats.maxUsageMb, 1),
            "MB",
          ),
          figure("memory.cgroup_limit_hits", "times the cgroup hit its limit (reclaim)", stats.limitHits),
          figure("memory.cgroup_oom_kills", "OOM kills in the cgroup", stats.oomKills, undefined, exactly(0)),
        );
      }
    }
    return figures;
  } finally {
    await emulator.close();
    inCgroup?.remove();
  }
}

async function runNaiveBaseline(
  ctx: BenchContext,
  events: ReturnType<typeof generateStream>,
): Promise<{ events: number; eventsPerSecond: number }> {
  const s = THROUGHPUT;
  ctx.note(`[1] naive baseline: ${events.length} events, one UpdateUser at a time`);
  const emulator = await startBenchEmulator(seedUsers(scaled(ctx, s.users)));
  try {
    emulator.state.setFaults({ latencyMs: s.latencyMs, qpsCap: s.qpsCap });
    const worker = startBareSdkWorker(ctx, "bare SDK (naive baseline)", emulator);
    try {
      await worker.ready;
      const result = await worker.calls(events.map(updateUserParams), 1);
      if (result.failed > 0)
        throw new Error(`naive baseline: ${result.failed} calls failed: ${result.firstError}`);
      await worker.finish();
      return { events: events.length, eventsPerSecond: events.length / (result.wallMs / 1000) };
    } catch (err) {
      worker.kill();
      throw err;
    }
  } finally {
    await emulator.close();
  }
}
