/**
 * Scenario 3 (cold start): bundle size, and how long a fresh `node` needs to import the bundle until its
 * handler is exported, against a baseline bundle of only the SDK, zod and libphonenumber-js. Fresh processes,
 * rotating ours without an initializer, ours with FC's initializer, and the baseline; median of many. Also the
 * first answer for one event against a 0 ms emulator: ours builds the runtime in it (no initializer) or not (the
 * initializer did, timed apart), beside the baseline's first call.
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { type BenchContext, functionEnv, scaled } from "../context.ts";
import { startBenchEmulator } from "../eiam.ts";
import { atMost, type Figure, figure, median, round } from "../figures.ts";
import { generateStream, seedUsers } from "../workload.ts";

export const COLD_START = {
  repetitions: 30,
  maxBundleKib: 600,
  maxLoadRatio: 0.25,
} as const;

interface Probe {
  loadMs: number;
  initializerMs: number | null;
  firstInvocationMs: number | null;
}

/** The baseline's handler parses {id, phone}, validates the phone and builds an SDK client. */
const BASELINE_EVENT = JSON.stringify({ id: "cold-baseline", phone: "+86 138 0013 8000" });

function probe(script: string, bundle: string, env: Record<string, string>): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, bundle], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith("COLD "));
      if (code !== 0 || line === undefined) {
        reject(
          new Error(`cold-start probe of ${bundle} failed (exit ${code}): ${stderr.trim() || stdout.trim()}`),
        );
        return;
      }
      resolve(JSON.parse(line.slice(5)) as Probe);
    });
  });
}

export async function runColdStart(ctx: BenchContext): Promise<Figure[]> {
  const { build } = ctx;
  const repetitions = scaled(ctx, COLD_START.repetitions, 3);
  const bundleKib = build.codeBytes / 1024;
  const entryKib = statSync(build.bundle).size / 1024;
  const baselineKib = statSync(build.baselineBundle).size / 1024;
  ctx.note(
    `[3] cold start: ${repetitions} fresh processes each for the function (without and with its initializer) and the baseline`,
  );

  const events = generateStream(1, { group: "cold" });
  const emulator = await startBenchEmulator(seedUsers(1, "cold"));
  const ours: Probe[] = [];
  const initialized: Probe[] = [];
  const baseline: Probe[] = [];
  try {
    for (let i = 0; i < repetitions; i++) {
      // Each fresh process applies one event (its own id): the runtime is built by that first call, or before
      // it by the initializer.
      const event = (n: string) =>
        JSON.stringify({ ...events[i % events.length]!.canonical, id: `cold-${i}-${n}` });
      const env = functionEnv(ctx, emulator, {});
      const runs: Array<() => Promise<void>> = [
        async () => {
          ours.push(
            await probe(build.coldStartProbe, build.bundle, { ...env, BENCH_FIRST_EVENT: event("a") }),
          );
        },
        async () => {
          const withInit = { ...env, BENCH_FIRST_EVENT: event("b"), BENCH_INITIALIZER: "1" };
          initialized.push(await probe(build.coldStartProbe, build.bundle, withInit));
        },
        async () => {
          const env = { BENCH_FIRST_EVENT: BASELINE_EVENT, BENCH_EXPECT_APPLIED: "0" };
          baseline.push(await probe(build.coldStartProbe, build.baselineBundle, env));
        },
      ];
      // Rotate which goes first, so that none always finds the file cache warmer.
      for (let k = 0; k < runs.length; k++) await runs[(i + k) % runs.length]!();
    }
  } finally {
    await emulator.close();
  }
  const loadMs = median(ours.map((p) => p.loadMs));
  const baselineMs = median(baseline.map((p) => p.loadMs));
  const firstMs = median(ours.map((p) => p.firstInvocationMs ?? Number.NaN));
  const initMs = median(initialized.map((p) => p.initializerMs ?? Number.NaN));
  const firstAfterInitMs = median(initialized.map((p) => p.firstInvocationMs ?? Number.NaN));
  const baselineFirstMs = median(baseline.map((p) => p.firstInvocationMs ?? Number.NaN));
  const total = (p: Probe) => p.loadMs + (p.initializerMs ?? 0) + (p.firstInvocationMs ?? Number.NaN);
  ctx.settings.cold_start = { repetitions, node_flags: "none", initializer: "measured both ways" };
  return [
    figure(
      "cold_start.bundle_kib",
      "bundle size (all deployed .mjs)",
      round(bundleKib, 1),
      "KiB",
      atMost(COLD_START.maxBundleKib),
    ),
    figure("cold_start.entry_kib", "entry file size (what the import parses)", round(entryKib, 1), "KiB"),
    figure(
      "cold_start.baseline_bundle_kib",
      "baseline bundle size (SDK + zod + libphonenumber)",
      round(baselineKib, 1),
      "KiB",
    ),
    figure("cold_start.load_ms", "import until the handler is exported (median)", round(loadMs, 1), "ms"),
    figure("cold_start.baseline_load_ms", "baseline import (median)", round(baselineMs, 1), "ms"),
    figure(
      "cold_start.load_ratio",
      "ours ÷ baseline",
      round(loadMs / baselineMs),
      undefined,
      atMost(COLD_START.maxLoadRatio),
    ),
    figure(
      "cold_start.first_invocation_ms",
      "first answer without initializer, one event (builds the runtime; median)",
      round(firstMs, 1),
      "ms",
    ),
    figure(
      "cold_start.baseline_first_call_ms",
      "baseline's first call (parse, phone, SDK client; median)",
      round(baselineFirstMs, 1),
      "ms",
    ),
    figure(
      "cold_start.initializer_ms",
      "FC initializer: builds the runtime (median)",
      round(initMs, 1),
      "ms",
    ),
    figure(
      "cold_start.first_invocation_after_initializer_ms",
      "first answer after the initializer, one event (median)",
      round(firstAfterInitMs, 1),
      "ms",
    ),
    figure(
      "cold_start.start_to_first_answer_ms",
      "import + first answer, without initializer (median)",
      round(median(ours.map(total)), 1),
      "ms",
    ),
    figure(
      "cold_start.start_to_first_answer_with_initializer_ms",
      "import + initializer + first answer (median)",
      round(median(initialized.map(total)), 1),
      "ms",
    ),
  ];
}
