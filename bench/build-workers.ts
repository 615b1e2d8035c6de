/**
 * Everything the benchmark runs in fresh `node` processes, built into one temporary directory with no
 * node_modules next to it: a copy of the function bundle, the worker scripts and the cold-start baseline
 * bundle. Build options are those of scripts/build.mjs (ESM, minified, node20, the createRequire banner),
 * without its aliases: those are the function's own size savings, and the baseline is the plain dependencies.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build } from "esbuild";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** Kept in step with scripts/build.mjs so that the baseline bundle is built exactly like the function's. */
export const FUNCTION_BUILD_OPTIONS: BuildOptions = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  sourcemap: "linked",
  legalComments: "none",
  logLevel: "warning",
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
};

export interface BenchBuild {
  dir: string;
  /** The function bundle, copied from dist/ so that it runs where no node_modules can be found. */
  bundle: string;
  /** Bytes of JavaScript deployed with it: the bundle and any chunk next to it (source maps left out). */
  codeBytes: number;
  baselineBundle: string;
  functionWorker: string;
  bareSdkWorker: string;
  coldStartProbe: string;
  remove(): void;
}

export async function buildBench(functionBundle: string): Promise<BenchBuild> {
  const dir = mkdtempSync(join(tmpdir(), "eiam-sync-bench-"));
  const out = {
    baselineBundle: join(dir, "baseline", "index.mjs"),
    functionWorker: join(dir, "function-worker.mjs"),
    bareSdkWorker: join(dir, "bare-sdk-worker.mjs"),
    coldStartProbe: join(dir, "cold-start-probe.mjs"),
  };
  // The copy keeps the bundle's file name, so that a renamed entry is still found.
  const bundle = join(dir, "function", basename(functionBundle));
  await build({
    ...FUNCTION_BUILD_OPTIONS,
    entryPoints: [join(BENCH_DIR, "cold-start-baseline.ts")],
    outfile: out.baselineBundle,
  });
  const workers: Array<[string, string]> = [
    ["function-worker.ts", out.functionWorker],
    ["bare-sdk-worker.ts", out.bareSdkWorker],
    ["cold-start-probe.ts", out.coldStartProbe],
  ];
  for (const [entry, outfile] of workers) {
    await build({
      ...FUNCTION_BUILD_OPTIONS,
      sourcemap: false,
      entryPoints: [join(BENCH_DIR, "workers", entry)],
      outfile,
    });
  }
  const codeBytes = copyCode(dirname(functionBundle), dirname(bundle));
  return { dir, bundle, codeBytes, ...out, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies the bundle's JavaScript files (a split build has chunks next to the entry); returns their size. */
function copyCode(from: string, to: string): number {
  mkdirSync(to, { recursive: true });
  let bytes = 0;
  for (const name of readdirSync(from)) {
    if (!/\.(mjs|js|cjs)$/.test(name) || !statSync(join(from, name)).isFile()) continue;
    copyFileSync(join(from, name), join(to, name));
    bytes += statSync(join(to, name)).size;
  }
  return bytes;
}
