/** Messages between the benchmark and its child processes (over Node's IPC channel). */

/** To a function worker: invoke the handler once with this event. */
export interface InvokeRequest {
  type: "invoke";
  id: number;
  event: string;
  timeoutSeconds: number;
}

/** To a bare-SDK worker: make these UpdateUser calls, at most `concurrency` at a time. */
export interface CallsRequest {
  type: "calls";
  id: number;
  params: Array<Record<string, unknown>>;
  concurrency: number;
}

/** To any worker: report process figures, then exit. */
export interface FinishRequest {
  type: "finish";
}

export type WorkerRequest = InvokeRequest | CallsRequest | FinishRequest;

export interface ReadyMessage {
  type: "ready";
  rssKb: number;
}

export interface InvokeResult {
  type: "invoked";
  id: number;
  ok: boolean;
  /** The error's name when the handler threw (DeferredEventsError means "deliver again"). */
  errorName?: string;
  errorMessage?: string;
  /** Count of outcomes per status (applied, duplicate, …), from the answer or from the error's result. */
  summary: Record<string, number>;
  /** Error codes of the outcomes that were not applied, with how often each occurred. */
  errorCodes: Record<string, number>;
  /** CPU (user + system) spent by this process during the invocation, in microseconds. */
  cpuMicros: number;
  wallMs: number;
}

export interface CallsResult {
  type: "called";
  id: number;
  ok: number;
  failed: number;
  firstError?: string;
  cpuMicros: number;
  wallMs: number;
}

export interface FinishedMessage {
  type: "finished";
  /** process.resourceUsage().maxRSS: the peak resident set of this process, in KiB. */
  maxRssKb: number;
  /** process.memoryUsage() at the end, in bytes. */
  heapTotal: number;
  heapUsed: number;
  external: number;
  /** heapUsed after a full GC (when the child runs with --expose-gc): what the process really keeps. */
  liveHeapAfterGc?: number;
}

export type WorkerMessage = ReadyMessage | InvokeResult | CallsResult | FinishedMessage;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isWorkerRequest(value: unknown): value is WorkerRequest {
  return isRecord(value) && (value.type === "invoke" || value.type === "calls" || value.type === "finish");
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    isRecord(value) &&
    (value.type === "ready" ||
      value.type === "invoked" ||
      value.type === "called" ||
      value.type === "finished")
  );
}
