/**
 * The parent's handle on one worker child: spawn it with a clean environment, wait until it is ready, send
 * requests and await the matching answers, and collect its output (the function logs one line per event).
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  type CallsRequest,
  type CallsResult,
  type FinishedMessage,
  type InvokeRequest,
  type InvokeResult,
  isWorkerMessage,
  type ReadyMessage,
  type WorkerMessage,
} from "./workers/protocol.ts";

export interface WorkerOptions {
  script: string;
  args?: string[];
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  label: string;
  /** A cgroup's `cgroup.procs`: the child joins that cgroup before node starts (bench/memory-cgroup.ts). */
  cgroupProcs?: string;
}

type Pending = { resolve: (m: WorkerMessage) => void; reject: (e: Error) => void };

export class WorkerProcess {
  readonly label: string;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number | string, Pending>();
  private nextId = 1;
  private stderr = "";
  private exitError: Error | undefined;
  /** Lines the child wrote to stdout (the function's JSON log lines). */
  stdoutLines = 0;
  /** The last few lines the child wrote to stderr or stdout, for error messages. */
  private tail: string[] = [];
  readonly ready: Promise<ReadyMessage>;

  constructor(options: WorkerOptions) {
    this.label = options.label;
    const nodeArgs = [...(options.nodeFlags ?? []), options.script, ...(options.args ?? [])];
    // In a cgroup: a shell writes its own pid into it, then becomes node (exec keeps the pid and the IPC pipe).
    const [command, args] = options.cgroupProcs
      ? ["/bin/sh", ["-c", 'echo $$ > "$0" && exec "$@"', options.cgroupProcs, process.execPath, ...nodeArgs]]
      : [process.execPath, nodeArgs];
    this.child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? "", ...options.env },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    let partial = "";
    this.child.stdout?.on("data", (chunk: Buffer) => {
      const text = partial + chunk.toString("utf8");
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      this.stdoutLines += lines.length;
      this.remember(lines);
    });
    this.child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString("utf8");
      if (this.stderr.length > 20_000) this.stderr = this.stderr.slice(-20_000);
    });
    this.child.on("message", (message: unknown) => this.receive(message));
    this.child.on("exit", (code, signal) => {
      const why = new Error(
        `${this.label} exited (${signal ?? `code ${code}`})${this.stderr ? `: ${this.stderr.trim()}` : ""}${
          this.tail.length ? `\nlast output:\n${this.tail.join("\n")}` : ""
        }`,
      );
      this.exitError = why;
      for (const p of this.pending.values()) p.reject(why);
      this.pending.clear();
    });
    this.ready = this.expect("ready") as Promise<ReadyMessage>;
  }

  private remember(lines: string[]): void {
    this.tail.push(...lines.filter((l) => l.trim() !== "").map((l) => l.slice(0, 500)));
    if (this.tail.length > 5) this.tail = this.tail.slice(-5);
  }

  private receive(message: unknown): void {
    if (!isWorkerMessage(message)) return;
    const key = "id" in message ? message.id : message.type;
    const waiter = this.pending.get(key);
    if (waiter === undefined) return;
    this.pending.delete(key);
    waiter.resolve(message);
  }

  private expect(key: number | string): Promise<WorkerMessage> {
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise((resolve, reject) => this.pending.set(key, { resolve, reject }));
  }

  async invoke(event: string, timeoutSeconds: number): Promise<InvokeResult> {
    const request: InvokeRequest = { type: "invoke", id: this.nextId++, event, timeoutSeconds };
    const answer = this.expect(request.id);
    this.child.send(request);
    return (await answer) as InvokeResult;
  }

  async calls(params: Array<Record<string, unknown>>, concurrency: number): Promise<CallsResult> {
    const request: CallsRequest = { type: "calls", id: this.nextId++, params, concurrency };
    const answer = this.expect(request.id);
    this.child.send(request);
    return (await answer) as CallsResult;
  }

  /** Asks for the process figures and lets the child exit. */
  async finish(): Promise<FinishedMessage> {
    const answer = this.expect("finished");
    this.child.send({ type: "finish" });
    const finished = (await answer) as FinishedMessage;
    await new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once("exit", () => resolve());
    });
    return finished;
  }

  /** Ends the child at once (after a failure). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}
