/**
 * Scenario 2 (pipeline overhead): CPU time per event of the whole function, against CPU time per call of the
 * bare SDK, each in its own child process; the emulator (0 ms latency, no cap) runs here, so its CPU is not
 * counted. Three children: the bare SDK, the function as deployed (LOG_LEVEL=info) and the function with
 * LOG_LEVEL=warn (what the per-event log lines cost). All warm up on other users' events, then take the
 * scenario-1 stream batch by batch in turn (same batches of 100, 16 calls in flight), never two at once, so
 * that a busy machine slows all three alike.
 */

import {
  type BenchContext,
  functionEnv,
  scaled,
  startBareSdkWorker,
  startFunctionWorker,
} from "../context.ts";
import { startBenchEmulator } from "../eiam.ts";
import { atMost, type Figure, figure, round } from "../figures.ts";
import { mnsQueueBatch } from "../mns-batch.ts";
import type { WorkerProcess } from "../worker-process.ts";
import { type BenchEvent, chunk, generateStream, seedUsers, updateUserParams } from "../workload.ts";
import { THROUGHPUT } from "./throughput.ts";

export const PIPELINE_CPU = {
  /** Warm-up users (10 events each) before measuring, so that no side is timed while V8 compiles. */
  warmUpUsers: 100,
  /** High enough that the function's rate limiter never waits. */
  maxQps: 1_000_000,
  maxRatio: 1.3,
} as const;

interface Side {
  /** CPU spent on one batch, in µs, and how many events of it were applied (or calls succeeded). */
  run(batch: BenchEvent[]): Promise<{ cpuMicros: number; done: number }>;
  cpuMicros: number;
  done: number;
}

function functionSide(worker: WorkerProcess): Side {
  return {
    cpuMicros: 0,
    done: 0,
    async run(batch) {
      const event = mnsQueueBatch(batch.map((e) => JSON.stringify(e.canonical)));
      const result = await worker.invoke(event, THROUGHPUT.timeoutSeconds);
      return { cpuMicros: result.cpuMicros, done: result.summary.applied ?? 0 };
    },
  };
}

function bareSide(worker: WorkerProcess): Side {
  return {
    cpuMicros: 0,
    done: 0,
    async run(batch) {
      const result = await worker.calls(batch.map(updateUserParams), THROUGHPUT.maxConcurrency);
      if (result.failed > 0) throw new Error(`bare SDK: ${result.failed} calls failed: ${result.firstError}`);
      return { cpuMicros: result.cpuMicros, done: result.ok };
    },
  };
}

export async function runPipelineCpu(ctx: BenchContext): Promise<Figure[]> {
  const users = scaled(ctx, THROUGHPUT.users);
  const warmUsers = scaled(ctx, PIPELINE_CPU.warmUpUsers);
  const measured = chunk(generateStream(users), THROUGHPUT.batchSize);
  const warmUp = chunk(generateStream(warmUsers, { group: "warm", seed: 7 }), THROUGHPUT.batchSize);
  ctx.settings.pipeline_cpu = {
    events: users * 10,
    warm_up_events: warmUsers * 10,
    emulator_latency_ms: 0,
    EIAM_MAX_QPS: PIPELINE_CPU.maxQps,
    EIAM_MAX_CONCURRENCY: THROUGHPUT.maxConcurrency,
  };
  ctx.note("[2] CPU per event: bare SDK, function (LOG_LEVEL=info) and function (LOG_LEVEL=warn), in turn");

  const emulator = await startBenchEmulator([...seedUsers(users), ...seedUsers(warmUsers, "warm")]);
  const workers: WorkerProcess[] = [];
  try {
    const env = (logLevel: string) =>
      functionEnv(ctx, emulator, {
        EIAM_MAX_QPS: String(PIPELINE_CPU.maxQps),
        EIAM_MAX_CONCURRENCY: String(THROUGHPUT.maxConcurrency),
        LOG_LEVEL: logLevel,
      });
    const bareWorker = startBareSdkWorker(ctx, "bare SDK (scenario 2)", emulator);
    const infoWorker = startFunctionWorker(ctx, "function (scenario 2, LOG_LEVEL=info)", env("info"));
    const warnWorker = startFunctionWorker(ctx, "function (scenario 2, LOG_LEVEL=warn)", env("warn"));
    workers.push(bareWorker, infoWorker, warnWorker);
    await Promise.all(workers.map((w) => w.ready));
    const bare = bareSide(bareWorker);
    const pipeline = functionSide(infoWorker);
    const quiet = functionSide(warnWorker);
    const sides = [bare, pipeline, quiet];

    for (const batch of warmUp) for (const side of sides) await side.run(batch);
    for (const [i, batch] of measured.entries()) {
      // Rotate who goes first, so that none always runs right after another one's garbage collection.
      for (let k = 0; k < sides.length; k++) {
        const side = sides[(i + k) % sides.length]!;
        const result = await side.run(batch);
        side.cpuMicros += result.cpuMicros;
        side.done += result.done;
      }
    }
    await Promise.all(workers.splice(0).map((w) => w.finish()));

    const events = measured.reduce((n, b) => n + b.length, 0);
    const barePerCall = bare.cpuMicros / bare.done;
    const perEvent = pipeline.cpuMicros / events;
    const quietPerEvent = quiet.cpuMicros / events;
    return [
      figure("pipeline_cpu.events", "events measured", events),
      figure("pipeline_cpu.not_applied", "events not applied", 2 * events - pipeline.done - quiet.done),
      figure(
        "pipeline_cpu.bare_sdk_us_per_call",
        "bare SDK UpdateUser: CPU per call",
        round(barePerCall, 1),
        "µs",
      ),
      figure("pipeline_cpu.pipeline_us_per_event", "function: CPU per event", round(perEvent, 1), "µs"),
      figure(
        "pipeline_cpu.ratio",
        "function ÷ bare SDK",
        round(perEvent / barePerCall),
        undefined,
        atMost(PIPELINE_CPU.maxRatio),
      ),
      figure(
        "pipeline_cpu.quiet_us_per_event",
        "function, LOG_LEVEL=warn: CPU per event",
        round(quietPerEvent, 1),
        "µs",
      ),
      figure(
        "pipeline_cpu.quiet_ratio",
        "function (LOG_LEVEL=warn) ÷ bare SDK",
        round(quietPerEvent / barePerCall),
      ),
    ];
  } finally {
    for (const w of workers) w.kill();
    await emulator.close();
  }
}
