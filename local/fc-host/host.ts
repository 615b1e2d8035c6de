/**
 * The local Function Compute: one function behind an HTTP trigger and the FC invoke API (sync and async,
 * with retries and an onFailure destination). The MNS-queue trigger is a separate piece (mns-queue-poller.ts)
 * that calls `run`.
 */
import { type AsyncFailureRecord, functionArn } from "./async-failure-record.ts";
import { AsyncInvoker } from "./async-invoker.ts";
import type { FcCredential } from "./fc-authenticate.ts";
import { startHttpTriggerServer } from "./http-trigger-server.ts";
import {
  type FcHandler,
  type InvokeOutcome,
  invoke,
  LOCAL_ACCOUNT_ID,
  type LocalFunction,
} from "./invoke.ts";
import { startInvokeApi } from "./invoke-api.ts";

export interface FcHostOptions {
  handler: FcHandler;
  fn: LocalFunction;
  /** The 2016-08-15 API's service name; default the function name. */
  serviceName?: string;
  host?: string;
  httpTriggerPort?: number;
  invokeApiPort?: number;
  /** Keys the invoke API accepts. */
  apiCredentials: readonly FcCredential[];
  maxDateSkewSeconds?: number;
  async?: {
    maxAsyncRetryAttempts?: number;
    retryDelayMs?: number;
    onFailure?: (record: AsyncFailureRecord) => Promise<void>;
  };
  log?: (line: string) => void;
}

export interface FcHost {
  httpTriggerUrl: string;
  invokeApiUrl: string;
  serviceName: string;
  functionArn: string;
  asyncInvoker: AsyncInvoker;
  /** Runs the function once, like any trigger does. */
  run(event: Buffer, requestId?: string): Promise<InvokeOutcome>;
  /** How many times the handler ran. */
  readonly invocations: number;
  close(): Promise<void>;
}

export async function startFcHost(options: FcHostOptions): Promise<FcHost> {
  const { fn } = options;
  const arn = functionArn(fn.region, fn.accountId ?? LOCAL_ACCOUNT_ID, fn.name);
  let invocations = 0;
  const run = (event: Buffer, requestId?: string): Promise<InvokeOutcome> => {
    invocations += 1;
    return invoke(options.handler, fn, event, requestId);
  };
  const asyncInvoker = new AsyncInvoker({
    run,
    functionArn: arn,
    maxAsyncRetryAttempts: options.async?.maxAsyncRetryAttempts,
    retryDelayMs: options.async?.retryDelayMs,
    onFailure: options.async?.onFailure,
    log: options.log,
  });
  const serviceName = options.serviceName ?? fn.name;
  const trigger = await startHttpTriggerServer({ port: options.httpTriggerPort, host: options.host, run });
  const api = await startInvokeApi({
    port: options.invokeApiPort,
    host: options.host,
    accountId: fn.accountId ?? LOCAL_ACCOUNT_ID,
    serviceName,
    functionName: fn.name,
    credentials: options.apiCredentials,
    maxDateSkewSeconds: options.maxDateSkewSeconds,
    run,
    async: asyncInvoker,
  }).catch(async (err: unknown) => {
    await trigger.close();
    throw err;
  });
  return {
    httpTriggerUrl: trigger.url,
    invokeApiUrl: api.url,
    serviceName,
    functionArn: arn,
    asyncInvoker,
    run,
    get invocations() {
      return invocations;
    },
    async close() {
      await Promise.all([trigger.close(), api.close()]);
      await asyncInvoker.close();
    },
  };
}
