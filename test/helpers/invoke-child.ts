/**
 * A separate "FC instance" for tests: loads the function from source with the environment it was given,
 * then invokes it once per event file named on the command line, after the parent's "go" when --race is set.
 * Prints one JSON line per invocation: {"ok":true,"result":…} or {"ok":false,"error":"…"}.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { waitForGo } from "./race-children.ts";

const args = process.argv.slice(2);
const race = args[0] === "--race";
const files = race ? args.slice(1) : args;
const { handler } = (await import("../../functions/user-sync/index.ts")) as unknown as {
  handler: (event: Buffer, context: unknown) => Promise<unknown>;
};
const timeout = Number(process.env.CHILD_FUNCTION_TIMEOUT ?? 30);
if (race) await waitForGo();
else process.stdout.write("ready\n");
const results: unknown[] = [];
for (const file of files) {
  const context = {
    requestId: randomUUID(),
    credentials: { accessKeyId: "LTAI_local_demo", accessKeySecret: "local-demo-secret" },
    function: { name: "eiam-user-sync", timeout },
  };
  try {
    results.push({ ok: true, result: await handler(readFileSync(file), context) });
  } catch (err) {
    const e = err as Error & { result?: unknown };
    results.push({ ok: false, error: e.name, message: e.message, result: e.result });
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);
process.exit(0);
