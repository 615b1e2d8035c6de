/**
 * Run once per fresh `node` process: times `import(bundle)` until the module is evaluated and exports a
 * handler, then (when BENCH_FIRST_EVENT is set) times the first invocation, which builds the runtime.
 * Prints one line `COLD {"loadMs":…,"firstInvocationMs":…}` (the function's own log lines go to stdout too).
 * Usage: node cold-start-probe.mjs <bundle path>.
 */
import { pathToFileURL } from "node:url";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

const bundle = process.argv[2];
if (!bundle) throw new Error("usage: cold-start-probe.mjs <bundle path>");
const url = pathToFileURL(bundle).href;

const loadStarted = performance.now();
const mod: unknown = await import(url);
const loadMs = performance.now() - loadStarted;
const handler = isRecord(mod) ? mod.handler : undefined;
if (typeof handler !== "function") throw new Error(`${bundle} does not export a handler function`);

let firstInvocationMs: number | null = null;
const event = process.env.BENCH_FIRST_EVENT;
if (event) {
  const context = {
    requestId: "cold-start-probe",
    credentials: {
      accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
      accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    },
    function: { name: "eiam-user-sync", handler: "index.handler", memory: 128, timeout: 30 },
  };
  const started = performance.now();
  const answer: unknown = await handler(Buffer.from(event), context);
  firstInvocationMs = performance.now() - started;
  const results = isRecord(answer) && Array.isArray(answer.results) ? answer.results : [];
  const status = isRecord(results[0]) ? results[0].status : undefined;
  if (status !== "applied")
    throw new Error(`first invocation did not apply the event: ${JSON.stringify(answer)}`);
}
process.stdout.write(`COLD ${JSON.stringify({ loadMs, firstInvocationMs })}\n`);
// The runtime keeps its EIAM keep-alive socket open; the measurement is done.
process.exit(0);
