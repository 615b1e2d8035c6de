/**
 * `npm run bench`: builds the worker scripts and the cold-start baseline, runs the scenarios one after another
 * against the built function bundle, prints a table (figure, value, target, pass/MISS) and, as the last line of
 * stdout, one JSON object with every figure. Exit code 1 when a scenario could not run, 0 otherwise (a missed
 * target is a finding, not a crash). See docs/performance.md.
 */
import { existsSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { buildBench } from "./build-workers.ts";
import type { BenchContext } from "./context.ts";
import { buildReport, type Figure, renderTable, round } from "./figures.ts";
import { OptionsError, parseOptions } from "./options.ts";
import { runColdStart } from "./scenarios/cold-start.ts";
import { runPipelineCpu } from "./scenarios/pipeline-cpu.ts";
import { runScaleOut } from "./scenarios/scale-out.ts";
import { runThroughput } from "./scenarios/throughput.ts";
import { runWebhookAck } from "./scenarios/webhook-ack.ts";

async function main(): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof OptionsError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const bundle = resolve(options.bundle);
  if (!existsSync(bundle)) {
    process.stderr.write(`no bundle at ${bundle}: run \`npm run build\` first (npm run bench does)\n`);
    return 2;
  }
  const note = options.jsonOnly ? () => undefined : (line: string) => process.stderr.write(`${line}\n`);
  const nproc = availableParallelism();
  const loadBefore = loadavg()[0] ?? 0;
  if (loadBefore > nproc / 2) {
    note(
      `warning: load average ${loadBefore.toFixed(1)} on ${nproc} CPUs: other work will distort the timings`,
    );
  }
  const build = await buildBench(bundle);
  const ctx: BenchContext = {
    scale: options.scale,
    build,
    note,
    nodeFlags: options.nodeFlags,
    memoryLimitMb: options.memoryLimitMb,
    settings: {},
    ...(options.profileDir ? { profileDir: resolve(options.profileDir) } : {}),
  };
  const figures: Figure[] = [];
  const errors: Record<string, string> = {};
  const only = options.only;
  const scenarios: Array<[string, boolean, () => Promise<Figure[]>]> = [
    [
      "1+4 throughput and memory",
      only.has(1) || only.has(4),
      () => runThroughput(ctx, { throughput: only.has(1), memory: only.has(4) }),
    ],
    ["2 pipeline CPU", only.has(2), () => runPipelineCpu(ctx)],
    ["3 cold start", only.has(3), () => runColdStart(ctx)],
    ["5 scale-out", only.has(5), () => runScaleOut(ctx)],
    ["6 webhook ack", only.has(6), () => runWebhookAck(ctx)],
  ];
  try {
    for (const [name, selected, run] of scenarios) {
      if (!selected) continue;
      try {
        figures.push(...(await run()));
      } catch (err) {
        errors[name] = err instanceof Error ? err.message : String(err);
        note(`scenario ${name} failed: ${errors[name]}`);
      }
    }
  } finally {
    build.remove();
  }

  const report = buildReport(
    {
      scale: options.scale,
      machine: {
        nproc,
        node: process.version,
        cpu: cpus()[0]?.model ?? "unknown",
        load_before: round(loadBefore, 2),
        load_after: round(loadavg()[0] ?? 0, 2),
      },
      node_flags: options.nodeFlags.join(" "),
      settings: ctx.settings,
      errors,
    },
    figures,
  );
  if (!options.jsonOnly) {
    process.stdout.write(`\n${renderTable(figures)}\n\n`);
    for (const [name, message] of Object.entries(errors))
      process.stdout.write(`FAILED ${name}: ${message}\n`);
    const m = report.machine;
    process.stdout.write(
      `machine: ${m.nproc} CPUs (${m.cpu}), node ${m.node}; load average ${m.load_before} before, ${m.load_after} after\n`,
    );
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return Object.keys(errors).length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
