/**
 * The local FC host's invoke API against the real @alicloud/fc2 client: sync and async invocations of the real
 * function, and every way a request is refused (signature, key, date, Content-MD5, STS token, path).
 */
import { createHash, randomUUID } from "node:crypto";
import { request } from "node:http";
import FCClient from "@alicloud/fc2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS } from "../../local/demo-data.ts";
import { type FcHost, startFcHost } from "../../local/fc-host/host.ts";
import type { FcHandler } from "../../local/fc-host/invoke.ts";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";
import { canonicalEvent } from "../helpers/fc-events.ts";

const ZHANG = "user_d6sbsuumeta4h66ec3il7yxxxx";
const PATH = "/services/eiam-user-sync/functions/eiam-user-sync/invocations";

let stack: LocalStack;
let fc: FCClient;

function client(overrides: Partial<ConstructorParameters<typeof FCClient>[1]> = {}, endpoint?: string) {
  return new FCClient(stack.info.accountId, {
    accessKeyID: DEMO_CREDENTIALS.accessKeyId,
    accessKeySecret: DEMO_CREDENTIALS.accessKeySecret,
    region: stack.info.region,
    endpoint: endpoint ?? stack.info.endpoints.fcApi,
    ...overrides,
  });
}

async function failure(call: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await call;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error("expected the call to fail");
}

async function eventually<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sends a request signed with the SDK's own signer, with a body that can differ from what was hashed. */
function rawInvoke(options: {
  body: string;
  md5Of: string;
  date?: string;
}): Promise<{ status: number; json: unknown }> {
  const url = new URL(stack.info.endpoints.fcApi);
  const headers: Record<string, string> = {
    date: options.date ?? new Date().toUTCString(),
    "content-type": "application/octet-stream",
    "content-md5": Buffer.from(createHash("md5").update(options.md5Of).digest("hex")).toString("base64"),
    "x-fc-account-id": stack.info.accountId,
  };
  headers.authorization = FCClient.getSignature(
    DEMO_CREDENTIALS.accessKeyId,
    DEMO_CREDENTIALS.accessKeySecret,
    "POST",
    `/2016-08-15${PATH}`,
    headers,
  );
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: "POST", path: `/2016-08-15${PATH}`, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

beforeAll(async () => {
  stack = await startLocalStack({
    functionEnv: { LOG_LEVEL: "error" },
    trigger: { enabled: false },
    asyncInvoke: { retryDelayMs: 10 },
  });
  fc = client();
});

afterAll(async () => {
  await stack?.close();
});

describe("sync invocation", () => {
  it("returns the function's JSON answer and applies the change", async () => {
    const event = canonicalEvent({}, { displayName: "Invoked Sync" });
    const res = await fc.invokeFunction("eiam-user-sync", "eiam-user-sync", JSON.stringify(event));
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.headers["x-fc-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.data).toMatchObject({
      results: [{ status: "applied", eventId: event.id, userId: ZHANG }],
      summary: { applied: 1, dead_lettered: 0 },
    });
    expect(stack.eiam.state.getUser(ZHANG)?.displayName).toBe("Invoked Sync");
  });

  it("accepts a qualifier (service.qualifier)", async () => {
    const event = canonicalEvent({}, { displayName: "Qualified" });
    const res = await fc.invokeFunction(
      "eiam-user-sync",
      "eiam-user-sync",
      Buffer.from(JSON.stringify(event)),
      {},
      "LATEST",
    );
    expect(res.data).toMatchObject({ summary: { applied: 1 } });
  });

  it("answers 404 for another service or function", async () => {
    const service = await failure(fc.invokeFunction("other", "eiam-user-sync", "{}"));
    expect(service.name).toBe("FCServiceNotFoundError");
    const fn = await failure(fc.invokeFunction("eiam-user-sync", "other", "{}"));
    expect(fn.code).toBe("FunctionNotFound");
  });
});

describe("async invocation", () => {
  it("answers 202 with no body at once and runs the function in the background", async () => {
    const event = canonicalEvent({}, { displayName: "Invoked Async" });
    const res = await fc.invokeFunction("eiam-user-sync", "eiam-user-sync", JSON.stringify(event), {
      "X-Fc-Invocation-Type": "Async",
    });
    expect(res.data).toBe("");
    expect(res.headers["x-fc-request-id"]).toBeTruthy();
    await eventually(() =>
      stack.eiam.state.getUser(ZHANG)?.displayName === "Invoked Async" ? true : undefined,
    );
    await stack.fcHost.asyncInvoker.whenIdle();
  });

  it("refuses an async payload over 128 KB", async () => {
    const big = JSON.stringify(canonicalEvent({ padding: "x".repeat(130 * 1024) }));
    const err = await failure(
      fc.invokeFunction("eiam-user-sync", "eiam-user-sync", big, { "x-fc-invocation-type": "Async" }),
    );
    expect(err.code).toBe("EntityTooLarge");
  });
});

describe("request authentication", () => {
  it("refuses a wrong secret with SignatureNotMatch", async () => {
    const err = await failure(
      client({ accessKeySecret: "not-the-secret" }).invokeFunction("eiam-user-sync", "eiam-user-sync", "{}"),
    );
    expect(err.name).toBe("FCSignatureNotMatchError");
    expect(err.message).toMatch(/failed with 403/);
  });

  it("refuses an unknown key with InvalidAccessKeyID", async () => {
    const err = await failure(
      client({ accessKeyID: "LTAI_unknown" }).invokeFunction("eiam-user-sync", "eiam-user-sync", "{}"),
    );
    expect(err.code).toBe("InvalidAccessKeyID");
    expect(err.message).toContain("LTAI_unknown");
  });

  it("refuses a date 20 minutes old with RequestTimeTooSkewed", async () => {
    const stale = new Date(Date.now() - 20 * 60 * 1000).toUTCString();
    const err = await failure(fc.invokeFunction("eiam-user-sync", "eiam-user-sync", "{}", { date: stale }));
    expect(err.code).toBe("RequestTimeTooSkewed");
  });

  it("refuses a body that does not match its Content-MD5, and accepts the SDK's own form", async () => {
    const before = stack.fcHost.invocations;
    const event = JSON.stringify(canonicalEvent({}, { displayName: "Tampered" }));
    const tampered = await rawInvoke({ body: event, md5Of: `${event} ` });
    expect(tampered.status).toBe(400);
    expect(tampered.json).toMatchObject({
      ErrorCode: "InvalidArgument",
      ErrorMessage: expect.stringContaining("Content-MD5"),
    });
    expect(stack.fcHost.invocations).toBe(before);

    const intact = await rawInvoke({ body: event, md5Of: event });
    expect(intact.status).toBe(200);
    expect(stack.fcHost.invocations).toBe(before + 1);
  });

  it("answers PathNotSupported for anything but the invocations path", async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const req = request(`${stack.info.endpoints.fcApi}/2016-08-15/services`, { method: "GET" }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(res).toBe(400);
  });
});

describe("an FC host with an STS key and a handler that throws", () => {
  let host: FcHost;
  const sts = {
    accessKeyId: "STS.local-role",
    accessKeySecret: "sts-secret",
    securityToken: `token-${randomUUID()}`,
  };
  const handler: FcHandler = async (event) => {
    const text = event.toString();
    if (text.includes("boom")) throw new TypeError("boom: the handler failed");
    return { echo: text };
  };

  beforeAll(async () => {
    host = await startFcHost({
      handler,
      fn: { name: "eiam-user-sync", timeoutSeconds: 5, credentials: DEMO_CREDENTIALS, region: "cn-hangzhou" },
      apiCredentials: [sts],
    });
  });
  afterAll(async () => {
    await host?.close();
  });

  const stsClient = (securityToken: string) =>
    new FCClient("1234567890123456", {
      accessKeyID: sts.accessKeyId,
      accessKeySecret: sts.accessKeySecret,
      securityToken,
      region: "cn-hangzhou",
      endpoint: host.invokeApiUrl,
    });

  it("accepts the STS key with its token, and refuses another token", async () => {
    const ok = await stsClient(sts.securityToken).invokeFunction("eiam-user-sync", "eiam-user-sync", "hello");
    expect(ok.data).toEqual({ echo: "hello" });
    const err = await failure(
      stsClient("stolen").invokeFunction("eiam-user-sync", "eiam-user-sync", "hello"),
    );
    expect(err.code).toBe("InvalidSecurityToken");
  });

  it("answers a throwing handler with 200, x-fc-error-type and FC's error body", async () => {
    const res = await stsClient(sts.securityToken).invokeFunction("eiam-user-sync", "eiam-user-sync", "boom");
    expect(res.headers["x-fc-error-type"]).toBe("UnhandledInvocationError");
    expect(res.data).toMatchObject({ errorType: "TypeError", errorMessage: "boom: the handler failed" });
  });

  it("answers the HTTP trigger with 502 when the handler throws", async () => {
    const res = await fetch(`${host.httpTriggerUrl}/anything`, { method: "POST", body: "boom" });
    expect(res.status).toBe(502);
    expect(res.headers.get("x-fc-error-type")).toBe("UnhandledInvocationError");
    expect(await res.json()).toEqual({ errorType: "TypeError", errorMessage: "boom: the handler failed" });
  });
});
