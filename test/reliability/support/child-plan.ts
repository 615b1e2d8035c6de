/** The steps an `fc-child.ts` process runs, and how the parent starts it and reads back what happened. */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type ChildStep =
  | {
      kind: "invoke" /** Base64 of the invocation payload. */;
      event: string;
      context: Record<string, unknown>;
    }
  | { kind: "admin"; url: string; method: "PUT" | "POST" | "PATCH" | "DELETE"; body?: unknown };

export type ChildAnswer =
  | { ok: true; answer: unknown }
  | { ok: false; error: { name?: unknown; message?: unknown; result?: unknown } };

export interface ChildRun {
  answers: ChildAnswer[];
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningChild {
  pid: number | undefined;
  kill(): void;
  done: Promise<ChildRun>;
}

const CHILD_SCRIPT = new URL("./fc-child.ts", import.meta.url).pathname;

export function invokeStep(event: Buffer, context: Record<string, unknown>): ChildStep {
  return { kind: "invoke", event: event.toString("base64"), context };
}

/** Starts the child with exactly `env` (plus PATH); the caller may kill it (SIGKILL) while it works. */
export function startChild(steps: readonly ChildStep[], env: Record<string, string>): RunningChild {
  const dir = mkdtempSync(join(tmpdir(), "eiam-sync-child-"));
  const planFile = join(dir, "plan.json");
  const resultsFile = join(dir, "results.jsonl");
  writeFileSync(planFile, JSON.stringify(steps));
  writeFileSync(resultsFile, "");
  const child = spawn(process.execPath, ["--import", "tsx", CHILD_SCRIPT, planFile, resultsFile], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const done = new Promise<ChildRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const answers = readFileSync(resultsFile, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as ChildAnswer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ answers, stdout, stderr, code, signal });
    });
  });
  return { pid: child.pid, kill: () => child.kill("SIGKILL"), done };
}
