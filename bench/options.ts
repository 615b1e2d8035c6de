/** Command-line options of `npm run bench` (bench/run.ts). */

export const SCENARIOS = [1, 2, 3, 4, 5, 6] as const;
export type ScenarioId = (typeof SCENARIOS)[number];

export interface BenchOptions {
  /** Multiplies the event counts (users, events, repetitions); default 1. */
  scale: number;
  only: ReadonlySet<ScenarioId>;
  jsonOnly: boolean;
  /** The built function (default dist/user-sync/index.mjs). */
  bundle: string;
  /** When set, function workers write V8 CPU profiles (node --cpu-prof) into this directory. */
  profileDir?: string;
  /** Extra node flags for the function's processes (e.g. V8 heap limits to try for a 128 MB instance). */
  nodeFlags: string[];
  /** Memory cgroup limit for scenario 1's function process, in MB (default 128, FC's smallest); 0: none. */
  memoryLimitMb: number;
}

export class OptionsError extends Error {
  override readonly name = "OptionsError";
}

export const USAGE = `usage: tsx bench/run.ts [--scale F] [--only N,M] [--json-only] [--bundle PATH] [--profile DIR] [--node-flags "…"]
  --scale F      multiply event counts by F (default 1; e.g. 0.01 for a smoke run)
  --only N,M     run only these scenarios (1 throughput, 2 pipeline CPU, 3 cold start, 4 memory, 5 scale-out, 6 webhook ack)
  --json-only    print only the final JSON line
  --bundle PATH  the built function (default dist/user-sync/index.mjs)
  --profile DIR  write CPU profiles of the function's processes (node --cpu-prof) into DIR
  --node-flags "F"  extra node flags for the function's processes, e.g. "--max-semi-space-size=2"
  --memory-limit MB  run scenario 1's function in a memory cgroup of MB (default 128; 0: none; needs root)`;

export function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    scale: 1,
    only: new Set(SCENARIOS),
    jsonOnly: false,
    bundle: "dist/user-sync/index.mjs",
    nodeFlags: [],
    memoryLimitMb: 128,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] =
      arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new OptionsError(`${name} needs a value\n${USAGE}`);
      return v;
    };
    switch (name) {
      case "--scale": {
        const text = value();
        const scale = Number(text);
        if (!Number.isFinite(scale) || scale <= 0 || scale > 100) {
          throw new OptionsError(`--scale must be a number greater than 0 and at most 100 (got "${text}")`);
        }
        options.scale = scale;
        break;
      }
      case "--only":
        options.only = parseOnly(value());
        break;
      case "--json-only":
        options.jsonOnly = true;
        break;
      case "--bundle":
        options.bundle = value();
        break;
      case "--profile":
        options.profileDir = value();
        break;
      case "--memory-limit": {
        const text = value();
        const mb = Number(text);
        if (!Number.isInteger(mb) || mb < 0 || (mb > 0 && mb < 64)) {
          throw new OptionsError(`--memory-limit must be 0 or a whole number of MB ≥ 64 (got "${text}")`);
        }
        options.memoryLimitMb = mb;
        break;
      }
      case "--node-flags": {
        const text = value();
        const flags = text.split(/\s+/).filter((f) => f !== "");
        const bad = flags.find((f) => !f.startsWith("--"));
        if (bad !== undefined) {
          throw new OptionsError(`--node-flags takes node options that start with "--" (got "${bad}")`);
        }
        options.nodeFlags = flags;
        break;
      }
      case "--help":
      case "-h":
        throw new OptionsError(USAGE);
      default:
        throw new OptionsError(`unknown option "${arg}"\n${USAGE}`);
    }
  }
  return options;
}

function parseOnly(text: string): Set<ScenarioId> {
  const ids = new Set<ScenarioId>();
  for (const part of text.split(",")) {
    const n = Number(part.trim());
    const id = SCENARIOS.find((s) => s === n);
    if (id === undefined) {
      throw new OptionsError(`--only takes scenario numbers from 1 to 6 separated by commas (got "${part}")`);
    }
    ids.add(id);
  }
  return ids;
}
