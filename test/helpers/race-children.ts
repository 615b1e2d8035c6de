/**
 * Runs several copies of a TypeScript script as separate Node processes and starts them together: each child
 * prints "ready" when it is set up, and gets "go" on stdin once all are ready. Each child prints one JSON line
 * as its result, last.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export async function runRacingChildren(script: string, argsPerChild: string[][]): Promise<unknown[]> {
  const children = argsPerChild.map((args) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: "pipe" });
    const lines: string[] = [];
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<void>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", (code) =>
        code === 0 ? resolve() : reject(new Error(`child exited ${code}: ${stderr}`)),
      );
    });
    const ready = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        if (line === "ready") resolve();
        else lines.push(line);
      });
    });
    // A child that dies before it is ready must fail the race, not hang it.
    return { child, lines, exited, ready: Promise.race([ready, exited]) };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const { child } of children) child.stdin.write("go\n");
  await Promise.all(children.map((c) => c.exited));
  return children.map(({ lines }) => {
    const last = lines.at(-1);
    if (last === undefined) throw new Error("child printed no result");
    return JSON.parse(last) as unknown;
  });
}

/** For the child side: announce readiness and wait for the parent's "go". */
export async function waitForGo(): Promise<void> {
  process.stdout.write("ready\n");
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line === "go") break;
  }
  rl.close();
}
