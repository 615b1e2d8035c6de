/**
 * Scenario 3 (cold start): bundle size, and how long a fresh `node` needs to import the bundle until its
 * handler is exported, against a baseline bundle of only the SDK, zod and libphonenumber-js. Fresh processes,
 * alternating ours and the baseline, median of many. Also (informational) the first invocation of our bundle,
 * which builds the runtime, for one event against a 0 ms emulator.
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { type BenchContext, functionEnv, scaled } from "../context.ts";
import { startBenchEmulator } from "../eiam.ts";
import { atMost, type Figure, figure, median, round } from "../figures.ts";
import { generateStream, seedUsers } from "../workload.ts";

export const COLD_START = {
  repetitions: 40,
  maxBundleKib: 600,
  maxLoadRatio: 0.5,
} as const;

interface Probe {
  loadMs: number;
  firstInvocationMs: number | null;
}

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
  ctx.settings.cold_start = { repetitions, node_flags: "none" };
  ctx.note(`[3] cold start: ${repetitions} fresh processes each for the function and the baseline`);

  const events = generateStream(1, { group: "cold" });
  const emulator = await startBenchEmulator(seedUsers(1, "cold"));
  const ours: Probe[] = [];
  const baseline: Probe[] = [];
  try {
    for (let i = 0; i < repetitions; i++) {
      // Each fresh process applies one event (its own id), through a runtime it builds on that first call.
      const event = { ...events[i % events.length]!.canonical, id: `cold-${i}` };
      const env = { ...functionEnv(ctx, emulator, {}), BENCH_FIRST_EVENT: JSON.stringify(event) };
      const runOurs = () => probe(build.coldStartProbe, build.bundle, env);
      const runBaseline = () => probe(build.coldStartProbe, build.baselineBundle, {});
      // Alternate which goes first, so that neither always finds the file cache warmer.
      if (i % 2 === 0) {
        ours.push(await runOurs());
        baseline.push(await runBaseline());
      } else {
        baseline.push(await runBaseline());
        ours.push(await runOurs());
      }
    }
  } finally {
    await emulator.close();
  }
  const loadMs = median(ours.map((p) => p.loadMs));
  const baselineMs = median(baseline.map((p) => p.loadMs));
  const firstMs = median(ours.map((p) => p.firstInvocationMs ?? Number.NaN));
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
      "first invocation, one event (median, informational)",
      round(firstMs, 1),
      "ms",
    ),
  ];
}
