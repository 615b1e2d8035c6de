/**
 * The local FC host's FC 3.0 invoke API (`POST /2023-03-30/functions/{name}/invocations`) against the real
 * @alicloud/fc20230330 client: sync and async invocations of the real function, and every way a request is
 * refused (signature, key, date, replayed nonce, STS token, function name).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import FC3Module, { InvokeFunctionHeaders, InvokeFunctionRequest } from "@alicloud/fc20230330";
import { $OpenApiUtil } from "@alicloud/openapi-core";
import { RuntimeOptions } from "@darabonba/typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS } from "../../local/demo-data.ts";
import { type FcHost, startFcHost } from "../../local/fc-host/host.ts";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";
import { canonicalEvent } from "../helpers/fc-events.ts";

const ZHANG = "user_d6sbsuumeta4h66ec3il7yxxxx";
const FC3Client = (FC3Module as unknown as { default?: typeof FC3Module }).default ?? FC3Module;

let stack: LocalStack;

interface Key {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

function client(endpointUrl: string, key: Key = DEMO_CREDENTIALS) {
  const url = new URL(endpointUrl);
  return new (FC3Client as unknown as typeof import("@alicloud/fc20230330").default)(
    new $OpenApiUtil.Config({ ...key, endpoint: url.host, protocol: "http", regionId: "cn-hangzhou" }),
  );
}

async function invoke(
  endpointUrl: string,
  options: { name?: string; body: string; headers?: Record<string, string>; qualifier?: string; key?: Key },
) {
  const res = await client(endpointUrl, options.key).invokeFunctionWithOptions(
    options.name ?? "eiam-user-sync",
    new InvokeFunctionRequest({
      body: Readable.from([Buffer.from(options.body)]),
      ...(options.qualifier ? { qualifier: options.qualifier } : {}),
    }),
    new InvokeFunctionHeaders({ commonHeaders: options.headers ?? {} }),
    new RuntimeOptions({}),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of res.body ?? []) chunks.push(Buffer.from(chunk as Uint8Array));
  const text = Buffer.concat(chunks).toString();
  return { status: res.statusCode, headers: res.headers ?? {}, text };
}

async function failure(call: Promise<unknown>): Promise<Error & { code?: string; statusCode?: number }> {
  try {
    await call;
  } catch (err) {
    return err as Error & { code?: string; statusCode?: number };
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  stack = await startLocalStack({
    functionEnv: { LOG_LEVEL: "error" },
    trigger: { enabled: false },
    asyncInvoke: { retryDelayMs: 10 },
  });
});

afterAll(async () => {
  await stack?.close();
});

describe("sync and async invocation through the 2023-03-30 API", () => {
  it("returns the function's JSON answer and applies the change", async () => {
    const event = canonicalEvent({}, { displayName: "Invoked via FC 3.0" });
    const res = await invoke(stack.info.endpoints.fcApi, {
      body: JSON.stringify(event),
      qualifier: "LATEST",
    });
    expect(res.status).toBe(200);
    expect(res.headers["x-fc-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(res.text)).toMatchObject({
      results: [{ status: "applied", eventId: event.id, userId: ZHANG }],
      summary: { applied: 1, dead_lettered: 0 },
    });
    expect(stack.eiam.state.getUser(ZHANG)?.displayName).toBe("Invoked via FC 3.0");
  });

  it("answers 202 at once for x-fc-invocation-type: Async and runs the function in the background", async () => {
    const event = canonicalEvent({}, { displayName: "Async via FC 3.0" });
    const res = await invoke(stack.info.endpoints.fcApi, {
      body: JSON.stringify(event),
      headers: { "x-fc-invocation-type": "Async" },
    });
    expect(res.status).toBe(202);
    expect(res.text).toBe("");
    await stack.fcHost.asyncInvoker.whenIdle();
    expect(stack.eiam.state.getUser(ZHANG)?.displayName).toBe("Async via FC 3.0");
  });

  it("answers 404 FunctionNotFound in FC 3.0's error shape for another function", async () => {
    const err = await failure(invoke(stack.info.endpoints.fcApi, { name: "other", body: "{}" }));
    expect(err.name).toBe("ClientError");
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("FunctionNotFound");
  });
});

describe("request authentication (ACS3-HMAC-SHA256)", () => {
  it("refuses a wrong secret with SignatureDoesNotMatch and does not run the function", async () => {
    const before = stack.fcHost.invocations;
    const err = await failure(
      invoke(stack.info.endpoints.fcApi, {
        body: "{}",
        key: { ...DEMO_CREDENTIALS, accessKeySecret: "not-the-secret" },
      }),
    );
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe("SignatureDoesNotMatch");
    expect(stack.fcHost.invocations).toBe(before);
  });

  it("refuses an unknown key", async () => {
    const err = await failure(
      invoke(stack.info.endpoints.fcApi, {
        body: "{}",
        key: { accessKeyId: "LTAI_unknown", accessKeySecret: "x" },
      }),
    );
    expect(err.code).toBe("InvalidAccessKeyId.NotFound");
  });

  it("refuses a signed x-acs-date 20 minutes old", async () => {
    const stale = new Date(Date.now() - 20 * 60 * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const err = await failure(
      invoke(stack.info.endpoints.fcApi, { body: "{}", headers: { "x-acs-date": stale } }),
    );
    expect(err.code).toBe("InvalidTimeStamp.Expired");
  });

  it("refuses a replayed signature nonce", async () => {
    const nonce = randomUUID();
    const event = JSON.stringify(canonicalEvent({}, { displayName: "Once" }));
    const first = await invoke(stack.info.endpoints.fcApi, {
      body: event,
      headers: { "x-acs-signature-nonce": nonce },
    });
    expect(first.status).toBe(200);
    const again = await failure(
      invoke(stack.info.endpoints.fcApi, { body: event, headers: { "x-acs-signature-nonce": nonce } }),
    );
    expect(again.code).toBe("SignatureNonceUsed");
  });
});

/** What the real SDK sends: it is pointed at a server that records the request and answers 200. */
async function captureSdkRequest(body: string): Promise<{ path: string; headers: IncomingHttpHeaders }> {
  let captured: { path: string; headers: IncomingHttpHeaders } | undefined;
  const server = createServer((req, res) => {
    captured = { path: req.url ?? "/", headers: req.headers };
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    await invoke(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { body });
  } finally {
    await new Promise((r) => server.close(r));
  }
  return captured!;
}

/** Sends a captured request again, to the host (fetch sets the Host header to the host's own address). */
async function replay(path: string, headers: IncomingHttpHeaders, body: string) {
  const res = await fetch(`${stack.info.endpoints.fcApi}${path}`, {
    method: "POST",
    headers: Object.entries(headers).flatMap(([k, v]) =>
      ["host", "content-length", "connection", "transfer-encoding"].includes(k) || v === undefined
        ? []
        : [[k, String(v)]],
    ) as [string, string][],
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("requests altered after signing", () => {
  it("refuses a request whose Host, body or signed headers changed after signing", async () => {
    const event = JSON.stringify(canonicalEvent({}, { displayName: "Signed Once" }));
    const { path, headers } = await captureSdkRequest(event);
    expect(path).toBe("/2023-03-30/functions/eiam-user-sync/invocations");
    expect(headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=LTAI_local_demo,SignedHeaders=/);
    const before = stack.fcHost.invocations;

    // The captured Host named the capture server; the host checks the signature over the Host it receives.
    const wrongHost = await replay(path, headers, event);
    expect(wrongHost).toMatchObject({ status: 403, json: { Code: "SignatureDoesNotMatch" } });

    const tampered = await replay(path, headers, event.replace("Signed Once", "Tampered"));
    expect(tampered).toMatchObject({ status: 400, json: { Code: "ContentSHA256NotMatch" } });

    const { "x-acs-signature-nonce": _nonce, ...withoutNonce } = headers;
    const unsigned = await replay(path, withoutNonce, event);
    expect(unsigned).toMatchObject({ status: 400, json: { Code: "IncompleteSignature" } });
    expect(stack.fcHost.invocations).toBe(before);
  });
});

describe("an FC host with an STS key", () => {
  let host: FcHost;
  const sts = { accessKeyId: "STS.local-role", accessKeySecret: "sts-secret", securityToken: randomUUID() };

  beforeAll(async () => {
    host = await startFcHost({
      handler: async (event) => ({ echo: event.toString() }),
      fn: { name: "eiam-user-sync", timeoutSeconds: 5, credentials: DEMO_CREDENTIALS, region: "cn-hangzhou" },
      apiCredentials: [sts],
    });
  });
  afterAll(async () => {
    await host?.close();
  });

  it("accepts the STS key with its token (x-acs-security-token), and refuses another token", async () => {
    const ok = await invoke(host.invokeApiUrl, { body: "hello", key: sts });
    expect(JSON.parse(ok.text)).toEqual({ echo: "hello" });
    const err = await failure(
      invoke(host.invokeApiUrl, { body: "hello", key: { ...sts, securityToken: "stolen" } }),
    );
    expect(err.code).toBe("InvalidSecurityToken");
  });
});
