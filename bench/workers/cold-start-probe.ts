/**
 * Run once per fresh `node` process: times `import(bundle)` until the module is evaluated and exports a
 * handler; with BENCH_INITIALIZER=1, then times the bundle's `initializer(context)` (FC's instance initializer);
 * then (when BENCH_FIRST_EVENT is set) times the first invocation, which builds the runtime unless the
 * initializer did. BENCH_EXPECT_APPLIED=0 skips the check that the answer applied the event (the baseline).
 * Prints one line `COLD {"loadMs":…,"initializerMs":…,"firstInvocationMs":…}` (the function's own log lines go
 * to stdout too). Usage: node cold-start-probe.mjs <bundle path>.
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

const context = {
  requestId: "cold-start-probe",
  credentials: {
    accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
    accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
  },
  function: { name: "eiam-user-sync", handler: "index.handler", memory: 128, timeout: 30 },
};

let initializerMs: number | null = null;
if (process.env.BENCH_INITIALIZER === "1") {
  const initializer = isRecord(mod) ? mod.initializer : undefined;
  if (typeof initializer !== "function") throw new Error(`${bundle} does not export an initializer`);
  const started = performance.now();
  await initializer(context);
  initializerMs = performance.now() - started;
}

let firstInvocationMs: number | null = null;
const event = process.env.BENCH_FIRST_EVENT;
if (event) {
  const started = performance.now();
  const answer: unknown = await handler(Buffer.from(event), context);
  firstInvocationMs = performance.now() - started;
  const results = isRecord(answer) && Array.isArray(answer.results) ? answer.results : [];
  const status = isRecord(results[0]) ? results[0].status : undefined;
  if (status !== "applied" && process.env.BENCH_EXPECT_APPLIED !== "0")
    throw new Error(`first invocation did not apply the event: ${JSON.stringify(answer)}`);
}
process.stdout.write(`COLD ${JSON.stringify({ loadMs, initializerMs, firstInvocationMs })}\n`);
// The runtime keeps its EIAM keep-alive socket open; the measurement is done.
process.exit(0);
