/**
 * A separate Node process that plays one FC instance: it loads the real FC entry (functions/user-sync), which
 * reads its configuration from this process's environment, and runs the steps of a plan file in order.
 * Answers go to a results file (one JSON line per invocation), so stdout and stderr hold only what the
 * function itself wrote. Usage: fc-child.ts <plan.json> <results.jsonl>
 */
import { appendFileSync, readFileSync } from "node:fs";
import type { ChildStep } from "./child-plan.ts";

const [planFile, resultsFile] = process.argv.slice(2);
if (!planFile || !resultsFile) throw new Error("usage: fc-child.ts <plan.json> <results.jsonl>");

type Handler = (event: Buffer, context: Record<string, unknown>) => Promise<unknown>;
const { handler } = (await import("../../../functions/user-sync/index.ts")) as unknown as {
  handler: Handler;
};

const steps = JSON.parse(readFileSync(planFile, "utf8")) as ChildStep[];
for (const step of steps) {
  if (step.kind === "admin") {
    const res = await fetch(step.url, {
      method: step.method,
      headers: { "content-type": "application/json" },
      ...(step.body === undefined ? {} : { body: JSON.stringify(step.body) }),
    });
    if (!res.ok) throw new Error(`admin call ${step.method} ${step.url} answered ${res.status}`);
    continue;
  }
  let line: unknown;
  try {
    line = { ok: true, answer: await handler(Buffer.from(step.event, "base64"), step.context) };
  } catch (err) {
    const e = err as { name?: unknown; message?: unknown; result?: unknown };
    line = { ok: false, error: { name: e.name, message: e.message, result: e.result } };
  }
  appendFileSync(resultsFile, `${JSON.stringify(line)}\n`);
}
// Redis and keep-alive sockets would hold the process open; the plan is done.
process.exit(0);
