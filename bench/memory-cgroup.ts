/**
 * A memory cgroup the size of an FC instance (128 MB by default), for the function's process in scenario 1:
 * created as a child of the benchmark's own cgroup (so whatever limits the machine already sets still apply),
 * cgroup v2 (`memory.max`) or v1 (`memory.limit_in_bytes`), whichever the machine mounts with a memory controller.
 * Needs root. When it cannot be made, the benchmark runs without it and says why.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface MemoryCgroup {
  limitMb: number;
  version: "v1" | "v2";
  /** Write a pid here to move that process (and its future children) into the cgroup. */
  procsFile: string;
  /** The most memory the cgroup used, how many times it hit the limit, and OOM kills inside it. */
  stats(): { maxUsageMb: number; limitHits: number; oomKills: number };
  remove(): void;
}

function ownPath(controller: string | null): string | undefined {
  const lines = readFileSync("/proc/self/cgroup", "utf8").trim().split("\n");
  for (const line of lines) {
    const [, controllers = "", path = ""] = line.split(":");
    if (controller === null ? controllers === "" : controllers.split(",").includes(controller)) return path;
  }
  return undefined;
}

function read(file: string): string {
  return readFileSync(file, "utf8").trim();
}

function field(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? 0);
}

function tryV2(name: string, limitMb: number): MemoryCgroup | undefined {
  const path = ownPath(null);
  const roots = ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"];
  const root = roots.find((r) => path !== undefined && existsSync(join(r, path, "cgroup.subtree_control")));
  if (root === undefined || path === undefined) return undefined;
  const parent = join(root, path);
  if (!read(join(parent, "cgroup.subtree_control")).split(" ").includes("memory")) return undefined;
  const dir = join(parent, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "memory.max"), String(limitMb * 1024 * 1024));
  writeFileSync(join(dir, "memory.swap.max"), "0");
  return {
    limitMb,
    version: "v2",
    procsFile: join(dir, "cgroup.procs"),
    stats: () => {
      const events = read(join(dir, "memory.events"));
      const peak = existsSync(join(dir, "memory.peak")) ? Number(read(join(dir, "memory.peak"))) : Number.NaN;
      return {
        maxUsageMb: peak / 2 ** 20,
        limitHits: field(events, "max"),
        oomKills: field(events, "oom_kill"),
      };
    },
    remove: () => rmdirSync(dir),
  };
}

function tryV1(name: string, limitMb: number): MemoryCgroup | undefined {
  const path = ownPath("memory");
  const parent = path === undefined ? undefined : join("/sys/fs/cgroup/memory", path);
  if (parent === undefined || !existsSync(join(parent, "memory.limit_in_bytes"))) return undefined;
  const dir = join(parent, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "memory.limit_in_bytes"), String(limitMb * 1024 * 1024));
  // No swap either, as on FC: memsw is only there when the kernel accounts swap.
  const memsw = join(dir, "memory.memsw.limit_in_bytes");
  if (existsSync(memsw)) writeFileSync(memsw, String(limitMb * 1024 * 1024));
  return {
    limitMb,
    version: "v1",
    procsFile: join(dir, "cgroup.procs"),
    stats: () => ({
      maxUsageMb: Number(read(join(dir, "memory.max_usage_in_bytes"))) / 2 ** 20,
      limitHits: Number(read(join(dir, "memory.failcnt"))),
      oomKills: field(read(join(dir, "memory.oom_control")), "oom_kill"),
    }),
    remove: () => rmdirSync(dir),
  };
}

export function createMemoryCgroup(limitMb: number): MemoryCgroup | { unavailable: string } {
  const name = `eiam-sync-bench-${process.pid}-${Date.now()}`;
  try {
    return tryV2(name, limitMb) ?? tryV1(name, limitMb) ?? { unavailable: "no writable memory cgroup" };
  } catch (err) {
    return { unavailable: (err as Error).message.slice(0, 200) };
  }
}
