/**
 * Async invocations through the local stack's invoke API (real @alicloud/fc2): a failing handler is retried
 * `maxAsyncRetryAttempts` times, then FC's failure record goes to the onFailure destination, the dead-letter
 * topic, and from there into the operators' queue, where the real @alicloud/mns client reads it.
 */
import FCClient from "@alicloud/fc2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS } from "../../local/demo-data.ts";
import type { FcHandler } from "../../local/fc-host/invoke.ts";
import { createMnsClient, receiveBatch } from "../../local/fc-host/mns-client.ts";
import { type LocalStack, STACK_NAMES, startLocalStack } from "../../local/stack.ts";

let stack: LocalStack;
let fc: FCClient;
const calls: string[] = [];
/** How many of the next calls fail (Infinity: all). */
let failures = 0;

const handler: FcHandler = async (event) => {
  calls.push(event.toString());
  if (calls.length <= failures) throw new RangeError(`attempt ${calls.length} failed on purpose`);
  return { ok: true };
};

beforeAll(async () => {
  stack = await startLocalStack({
    handler,
    trigger: { enabled: false },
    asyncInvoke: { maxAsyncRetryAttempts: 2, retryDelayMs: 5 },
  });
  fc = new FCClient(stack.info.accountId, {
    accessKeyID: DEMO_CREDENTIALS.accessKeyId,
    accessKeySecret: DEMO_CREDENTIALS.accessKeySecret,
    region: stack.info.region,
    endpoint: stack.info.endpoints.fcApi,
  });
});

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => {
  calls.length = 0;
  stack.mns.state.purgeQueue(STACK_NAMES.deadLetterQueue);
});

async function invokeAsync(payload: string): Promise<string> {
  const res = await fc.invokeFunction("eiam-user-sync", "eiam-user-sync", payload, {
    "x-fc-invocation-type": "Async",
  });
  expect(res.data).toBe("");
  await stack.fcHost.asyncInvoker.whenIdle();
  return String(res.headers["x-fc-request-id"]);
}

describe("async retries and the onFailure destination", () => {
  it("retries a handler that always throws, then publishes FC's failure record", async () => {
    failures = Number.POSITIVE_INFINITY;
    const payload = JSON.stringify({ id: "evt-async-1", changes: { displayName: "x" } });
    const requestId = await invokeAsync(payload);

    expect(calls).toEqual([payload, payload, payload]); // 1 + maxAsyncRetryAttempts
    const mns = createMnsClient({
      accountId: stack.info.accountId,
      endpoint: stack.info.endpoints.mns,
      credentials: DEMO_CREDENTIALS,
    });
    const [message, ...more] = await receiveBatch(mns, STACK_NAMES.deadLetterQueue, 16, 0);
    expect(more).toEqual([]);
    const record = JSON.parse(message!.body) as Record<string, unknown>;
    expect(record).toMatchObject({
      requestContext: {
        requestId,
        functionArn: `acs:fc:cn-hangzhou:${stack.info.accountId}:functions/eiam-user-sync`,
        condition: "RetriesExhausted",
        approximateInvokeCount: 3,
      },
      requestPayload: payload,
      responseContext: { statusCode: 200, functionError: "UnhandledInvocationError" },
    });
    expect(Date.parse(String(record.timestamp))).not.toBeNaN();
    expect(JSON.parse(String(record.responsePayload))).toEqual({
      errorType: "RangeError",
      errorMessage: "attempt 3 failed on purpose",
    });
  });

  it("publishes nothing when a retry succeeds", async () => {
    failures = 2;
    await invokeAsync("recovers on the third attempt");
    expect(calls).toHaveLength(3);
    expect(stack.mns.state.queueMessages(STACK_NAMES.deadLetterQueue)).toEqual([]);
  });

  it("runs once and publishes nothing when the handler succeeds", async () => {
    failures = 0;
    await invokeAsync("fine");
    expect(calls).toEqual(["fine"]);
    expect(stack.mns.state.queueMessages(STACK_NAMES.deadLetterQueue)).toEqual([]);
  });
});
