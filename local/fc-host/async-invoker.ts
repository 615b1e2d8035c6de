/**
 * Async invocations (`x-fc-invocation-type: Async`): accepted at once, run in the background, retried up to
 * `maxAsyncRetryAttempts` times after a failure (FC's default is 3, valid 0–8; fc3.md §4), then handed to the
 * onFailure destination as FC's failure record. Retry delays here are short and configurable; FC's are not
 * documented.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type AsyncFailureRecord, asyncFailureRecord } from "./async-failure-record.ts";
import type { InvokeOutcome } from "./invoke.ts";

export interface AsyncInvokerOptions {
  run: (event: Buffer, requestId: string) => Promise<InvokeOutcome>;
  functionArn: string;
  /** Default 3. */
  maxAsyncRetryAttempts?: number;
  /** Delay before retry n is `retryDelayMs * 2^(n-1)`; default 1000. */
  retryDelayMs?: number;
  onFailure?: (record: AsyncFailureRecord) => Promise<void>;
  log?: (line: string) => void;
  now?: () => number;
}

export class AsyncInvoker {
  private readonly running = new Set<Promise<void>>();
  private readonly stop = new AbortController();

  constructor(private readonly options: AsyncInvokerOptions) {
    const retries = options.maxAsyncRetryAttempts ?? 3;
    if (!Number.isInteger(retries) || retries < 0 || retries > 8) {
      throw new RangeError(`maxAsyncRetryAttempts must be an integer from 0 to 8; got ${retries}`);
    }
  }

  /** Invocations accepted and not finished yet (running or waiting for a retry). */
  get pending(): number {
    return this.running.size;
  }

  submit(event: Buffer, requestId: string): void {
    if (this.stop.signal.aborted) throw new Error("the async invoker is closed");
    const job = this.runWithRetries(event, requestId).finally(() => this.running.delete(job));
    this.running.add(job);
  }

  /** Resolves once every accepted invocation has finished (succeeded or gone to the destination). */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Stops retrying (nothing more reaches the destination) and waits for running handlers to return. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.whenIdle();
  }

  private async runWithRetries(event: Buffer, requestId: string): Promise<void> {
    const { options } = this;
    const attempts = 1 + (options.maxAsyncRetryAttempts ?? 3);
    const base = options.retryDelayMs ?? 1000;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const outcome = await options.run(event, requestId);
      if (outcome.ok) return;
      options.log?.(
        `async invocation ${requestId} failed (attempt ${attempt} of ${attempts}): ${outcome.error.errorType}: ${outcome.error.errorMessage}`,
      );
      if (attempt === attempts) {
        await this.deliverFailure(event, requestId, attempt, outcome);
        return;
      }
      try {
        await sleep(base * 2 ** (attempt - 1), undefined, { signal: this.stop.signal });
      } catch {
        return; // closing: no more retries, nothing published
      }
    }
  }

  private async deliverFailure(
    event: Buffer,
    requestId: string,
    invokeCount: number,
    outcome: Extract<InvokeOutcome, { ok: false }>,
  ): Promise<void> {
    const record = asyncFailureRecord({
      requestId,
      functionArn: this.options.functionArn,
      invokeCount,
      event,
      error: outcome.error,
      now: (this.options.now ?? Date.now)(),
    });
    if (this.options.onFailure === undefined) {
      this.options.log?.(`async invocation ${requestId}: retries exhausted; no onFailure destination`);
      return;
    }
    try {
      await this.options.onFailure(record);
      this.options.log?.(
        `async invocation ${requestId}: retries exhausted; failure record sent to onFailure`,
      );
    } catch (err) {
      this.options.log?.(
        `async invocation ${requestId}: could not deliver the failure record: ${(err as Error).message}`,
      );
    }
  }
}
