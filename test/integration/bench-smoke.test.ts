/**
 * Keeps `npm run bench` from rotting: every scenario runs at a tiny scale (--scale 0.01) against the freshly
 * built bundle, and the final JSON line must carry every figure. No timing target is asserted here, only that
 * each figure was measured and that the correctness checks (oracle, order, exactly-once) hold.
 */
import { execFileSync, spawn } from "node:child_process";
import { beforeAll, expect, it } from "vitest";

const FIGURES = [
  "throughput.events",
  "throughput.events_per_s",
  "throughput.eiam_calls",
  "throughput.update_user_ok",
  "throughput.throttled_calls",
  "throughput.throttled_after_first_s",
  "throughput.max_admitted_in_1s",
  "throughput.eiam_calls_per_s",
  "throughput.limit_calls_per_s",
  "throughput.ratio_to_limit",
  "throughput.applied",
  "throughput.redeliveries",
  "throughput.failed_invocations",
  "throughput.users_out_of_order",
  "throughput.users_wrong_final_state",
  "throughput.function_cpu_percent",
  "throughput.function_ms_per_event",
  "throughput.eiam_ms_per_event",
  "throughput.gb_s_per_1000_events",
  "throughput.emulator_cpu_percent",
  "throughput.naive_events",
  "throughput.naive_events_per_s",
  "throughput.speedup_vs_naive",
  "memory.rss_after_load_mb",
  "memory.peak_rss_mb",
  "memory.heap_used_at_end_mb",
  "memory.live_heap_after_gc_mb",
  "memory.log_lines",
  "pipeline_cpu.events",
  "pipeline_cpu.not_applied",
  "pipeline_cpu.bare_sdk_us_per_call",
  "pipeline_cpu.pipeline_us_per_event",
  "pipeline_cpu.ratio",
  "pipeline_cpu.quiet_us_per_event",
  "pipeline_cpu.quiet_ratio",
  "cold_start.bundle_kib",
  "cold_start.entry_kib",
  "cold_start.baseline_bundle_kib",
  "cold_start.load_ms",
  "cold_start.baseline_load_ms",
  "cold_start.load_ratio",
  "cold_start.first_invocation_ms",
  "cold_start.baseline_first_call_ms",
  "cold_start.initializer_ms",
  "cold_start.first_invocation_after_initializer_ms",
  "cold_start.start_to_first_answer_ms",
  "cold_start.start_to_first_answer_with_initializer_ms",
  "webhook_ack.sync_p50_ms",
  "webhook_ack.sync_p99_ms",
  "webhook_ack.enqueue_p50_ms",
  "webhook_ack.enqueue_p99_ms",
  "scale_out.processes",
  "scale_out.events",
  "scale_out.events_per_s",
  "scale_out.eiam_calls_per_s",
  "scale_out.ratio_to_limit",
  "scale_out.max_admitted_in_1s",
  "scale_out.throttled_calls",
  "scale_out.throttled_after_first_s",
  "scale_out.deliveries",
  "scale_out.batches_delivered_twice",
  "scale_out.redeliveries",
  "scale_out.duplicates_detected",
  "scale_out.deferred",
  "scale_out.stale",
  "scale_out.applied",
  "scale_out.dead_lettered",
  "scale_out.gave_up",
  "scale_out.events_applied_twice",
  "scale_out.users_out_of_order",
  "scale_out.users_wrong_final_state",
  "scale_out.redis_keys_deleted",
];

function runBench(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/run.ts", ...args], {
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(() => {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "pipe" });
}, 60_000);

it("runs every scenario at --scale 0.01 and reports every figure in the final JSON line", async () => {
  const run = await runBench(["--scale", "0.01", "--json-only"]);
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const lines = run.stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  const report = JSON.parse(lines[0]!) as {
    scale: number;
    errors: Record<string, string>;
    figures: Record<string, unknown>;
    machine: { nproc: number; node: string };
  };
  expect(report.scale).toBe(0.01);
  expect(report.errors).toEqual({});
  expect(report.machine.node).toBe(process.version);
  const missing = FIGURES.filter((key) => typeof report.figures[key] !== "number");
  expect(missing).toEqual([]);
  const notFinite = FIGURES.filter((key) => !Number.isFinite(report.figures[key]));
  expect(notFinite).toEqual([]);

  // Correctness, not speed: what the benchmark checks must hold even on a tiny run.
  const f = report.figures;
  expect(f["throughput.applied"]).toBe(f["throughput.events"]);
  expect(f["throughput.users_wrong_final_state"]).toBe(0);
  expect(f["throughput.users_out_of_order"]).toBe(0);
  expect(f["pipeline_cpu.not_applied"]).toBe(0);
  expect(f["scale_out.batches_delivered_twice"]).toBeGreaterThanOrEqual(1);
  expect(f["scale_out.events_applied_twice"]).toBe(0);
  expect(f["scale_out.users_wrong_final_state"]).toBe(0);
  expect(f["scale_out.dead_lettered"]).toBe(0);
  // As root the function ran in a 128 MB memory cgroup (bench/memory-cgroup.ts): it must not have been killed.
  if (f["memory.cgroup_limit_mb"] !== undefined) expect(f["memory.cgroup_oom_kills"]).toBe(0);
}, 240_000);

it("refuses a bad option with a message that names it and its rule", async () => {
  const run = await runBench(["--scale", "0", "--json-only"]);
  expect(run.status).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr).toContain('--scale must be a number greater than 0 and at most 100 (got "0")');
}, 60_000);
