/** What every scenario gets from bench/run.ts, and the function's environment for a given emulator. */
import { join } from "node:path";
import type { EiamEmulator } from "../local/eiam-emulator/server.ts";
import type { BenchBuild } from "./build-workers.ts";
import { WorkerProcess } from "./worker-process.ts";
import { BENCH_CREDENTIALS, BENCH_INSTANCE_ID } from "./workload.ts";

export interface BenchContext {
  scale: number;
  build: BenchBuild;
  /** Progress notes (stderr), silent with --json-only. */
  note: (line: string) => void;
  profileDir?: string;
  /** Extra node flags for the function's processes. */
  nodeFlags: readonly string[];
  /** Scenario 1 runs the function in a memory cgroup of this size (MB); 0: no cgroup. */
  memoryLimitMb: number;
  /** Settings each scenario chose, printed with the results. */
  settings: Record<string, Record<string, number | string>>;
}

/** Count × scale, at least `min`. */
export function scaled(ctx: BenchContext, count: number, min = 1): number {
  return Math.max(min, Math.round(count * ctx.scale));
}

/** The function's configuration, as FC would pass it in environment variables. */
export function functionEnv(
  ctx: BenchContext,
  emulator: EiamEmulator,
  settings: Record<string, string>,
): Record<string, string> {
  return {
    EIAM_INSTANCE_ID: BENCH_INSTANCE_ID,
    EIAM_ENDPOINT: emulator.endpoint,
    EIAM_PROTOCOL: "http",
    ALIBABA_CLOUD_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: BENCH_CREDENTIALS.accessKeySecret,
    DEAD_LETTER_FILE: join(ctx.build.dir, `dead-letters-${Date.now()}.jsonl`),
    ...settings,
  };
}

/** A child that plays one FC instance running the function bundle. */
export function startFunctionWorker(
  ctx: BenchContext,
  label: string,
  env: Record<string, string>,
  cgroupProcs?: string,
): WorkerProcess {
  return new WorkerProcess({
    label,
    ...(cgroupProcs ? { cgroupProcs } : {}),
    script: ctx.build.functionWorker,
    args: [ctx.build.bundle],
    env,
    // --expose-gc only lets the worker measure the live heap once it is done; it does not change how V8 collects.
    nodeFlags: [
      "--expose-gc",
      ...ctx.nodeFlags,
      ...(ctx.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${ctx.profileDir}`] : []),
    ],
  });
}

/** A child that calls UpdateUser with the bare SDK. */
export function startBareSdkWorker(ctx: BenchContext, label: string, emulator: EiamEmulator): WorkerProcess {
  return new WorkerProcess({
    label,
    script: ctx.build.bareSdkWorker,
    env: {
      BENCH_EIAM_ENDPOINT: emulator.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: BENCH_CREDENTIALS.accessKeySecret,
    },
  });
}
