/**
 * The SCIM service served by the BUILT bundle: one warm `node` instance loads dist/user-sync/ from a folder with
 * no node_modules, configured by a routes file (SENDERS_FILE) with the SCIM route and SCIM_BEARER_TOKENS. The
 * Entra ID and Okta sequences (test/fixtures/scim/) are replayed through FC HTTP-trigger events; every answer is
 * checked against docs/scim-user.schema.json and every write against the EIAM emulator's state and request log.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { expectScimError, expectScimList, expectScimUser } from "../helpers/scim-schema.ts";

const TOKEN = "scim-e2e-token-7c1f0b2a";
const LI_SI = "user_li4si0000000000000000000";
const ZHANG_SAN = "user_d6sbsuumeta4h66ec3il7yxxxx";
const GRACE = "user_grace000000000000000000000";

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

let eiam: EiamEmulator;
let dir: string;
let child: ChildProcessWithoutNullStreams;
const children: ChildProcessWithoutNullStreams[] = [];
const pending = new Map<string, (answer: Answer) => void>();

/** A warm function instance: one FC HTTP event per stdin line, one `RESULT <requestId> <answer>` line back. */
function startInstance(env: Record<string, string>): ChildProcessWithoutNullStreams {
  const script = `
    import { createInterface } from "node:readline";
    const { handler } = await import(${JSON.stringify(join(dir, "index.mjs"))});
    for await (const line of createInterface({ input: process.stdin })) {
      const { requestId, event } = JSON.parse(line);
      const result = await handler(Buffer.from(event, "base64"), {
        requestId, function: { name: "eiam-user-sync", timeout: 20 },
      });
      process.stdout.write("RESULT " + requestId + " " + JSON.stringify(result) + "\\n");
    }
  `;
  const instance = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
      ...env,
    },
  });
  children.push(instance);
  let stderr = "";
  instance.stderr.on("data", (d: Buffer) => (stderr += d));
  instance.on("close", (code) => {
    for (const resolve of pending.values())
      resolve({ statusCode: -1, headers: {}, body: `instance exited ${code}: ${stderr}` });
  });
  createInterface({ input: instance.stdout }).on("line", (line) => {
    const match = /^RESULT (\S+) (.*)$/.exec(line);
    if (match === null) return;
    pending.get(match[1]!)?.(JSON.parse(match[2]!));
    pending.delete(match[1]!);
  });
  return instance;
}

interface Request {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
}

/** One request through the FC HTTP trigger, as FC 3.0 hands it to the function (fc3 event v1). */
function send(request: Request, token: string | null = TOKEN, instance = child): Promise<Answer> {
  const requestId = randomUUID();
  const now = new Date();
  const event = {
    version: "v1",
    rawPath: request.path,
    body: request.body === undefined ? "" : JSON.stringify(request.body),
    isBase64Encoded: false,
    headers: {
      "content-type": "application/scim+json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...request.headers,
    },
    queryParameters: request.query ?? {},
    requestContext: {
      accountId: "1234567890123456",
      domainName: "sync.cn-hangzhou.fcapp.run",
      domainPrefix: "sync",
      http: { method: request.method, path: request.path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1" },
      requestId,
      time: now.toISOString(),
      timeEpoch: String(now.getTime()),
    },
  };
  const line = JSON.stringify({ requestId, event: Buffer.from(JSON.stringify(event)).toString("base64") });
  return new Promise((resolve) => {
    pending.set(requestId, resolve);
    instance.stdin.write(`${line}\n`);
  });
}

const updateUserCalls = (userId: string) =>
  eiam.state.requestLog.filter((r) => r.action === "UpdateUser" && r.params.UserId === userId).length;

const instanceEnv = () => ({
  SENDERS_FILE: join(dir, "senders.json"),
  SCIM_BEARER_TOKENS: `other-token-0000,${TOKEN}`,
  DEFAULT_ORGANIZATIONAL_UNIT_ID: "ou_engineering000000000000000",
  DEAD_LETTER_FILE: join(dir, "dead-letters.jsonl"),
  LOG_LEVEL: "error",
});

beforeAll(async () => {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "pipe" });
  dir = mkdtempSync(join(tmpdir(), "eiam-sync-scim-bundle-"));
  for (const file of readdirSync("dist/user-sync").filter((f) => f.endsWith(".mjs")))
    copyFileSync(join("dist/user-sync", file), join(dir, file));
  const routes = {
    routes: [
      {
        path: "/scim/v2/*",
        methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
        format: "scim",
        auth: { scheme: "bearer", tokensEnv: "SCIM_BEARER_TOKENS" },
      },
    ],
  };
  writeFileSync(join(dir, "senders.json"), JSON.stringify(routes));
  eiam = await startDemoEiam();
  child = startInstance(instanceEnv());
}, 60_000);

afterAll(async () => {
  for (const instance of children) instance.kill();
  await eiam?.close();
});

// The warm instance remembers what it wrote (field versions), as a deployed one does: each test takes its own
// users instead of resetting EIAM behind the function's back.
beforeEach(() => eiam.state.clearRequestLog());

interface Step extends Request {
  name: string;
  expect: { status: number; totalResults?: number; capture?: "id"; active?: boolean; scimType?: string };
}

function fixture(name: string): { headers?: Record<string, string>; steps: Step[] } {
  return JSON.parse(readFileSync(new URL(`../fixtures/scim/${name}`, import.meta.url), "utf8"));
}

/** Replays a client's sequence; `totalResults` of an unfiltered listing is the tenant's count, not the fixture's. */
async function replay(file: string): Promise<string> {
  const { headers = {}, steps } = fixture(file);
  let id = "";
  for (const [index, step] of steps.entries()) {
    const fill = (text: string) => text.replaceAll("{id}", id);
    const answer = await send({
      method: step.method,
      path: `/scim/v2${fill(step.path)}`,
      query: step.query ?? {},
      headers,
      body: step.body === undefined ? undefined : JSON.parse(fill(JSON.stringify(step.body))),
    });
    const label = `${file} step ${index} (${step.name}): ${answer.body}`;
    expect(answer.statusCode, label).toBe(step.expect.status);
    if (answer.statusCode === 204) continue;
    expect(answer.headers["content-type"], label).toBe("application/scim+json; charset=utf-8");
    const body = JSON.parse(answer.body);
    if (step.expect.scimType !== undefined)
      expect(expectScimError(body).scimType, label).toBe(step.expect.scimType);
    else if (step.expect.totalResults !== undefined) {
      const list = expectScimList(body);
      const unfiltered = step.query?.filter === undefined;
      expect(list.totalResults, label).toBe(
        unfiltered ? eiam.state.listUsers().length : step.expect.totalResults,
      );
      for (const resource of list.Resources) expectScimUser(resource);
      if (step.expect.capture === "id") id = String(list.Resources[0]?.id);
    } else {
      const user = expectScimUser(body);
      if (step.expect.capture === "id") id = String(user.id);
      if (step.expect.active !== undefined) expect(user.active, label).toBe(step.expect.active);
      if (answer.statusCode === 201) expect(answer.headers.location, label).toBe(`/scim/v2/Users/${id}`);
      // The answer is EIAM after the change, not the request echoed.
      expect(user.userName, label).toBe(eiam.state.getUser(id)?.username);
    }
  }
  return id;
}

describe("the SCIM route of the built bundle", () => {
  it("Entra ID: connection test, match by filter, PATCH as Entra sends it, disable, enable, DELETE disables", async () => {
    const id = await replay("entra-id.json");
    expect(id).toBe(LI_SI);
    expect(eiam.state.getUser(LI_SI)).toMatchObject({
      email: "li.si@example.com",
      displayName: "Li Si (Entra)",
      customFields: { employee_number: "E-2002" },
      status: "disabled",
    });
    const actions = eiam.state.requestLog.map((r) => r.action);
    expect(actions.filter((a) => a === "DisableUser")).toHaveLength(2);
    expect(actions.filter((a) => a === "EnableUser")).toHaveLength(1);
    expect(actions).not.toContain("DeleteUser");
  }, 60_000);

  it("Okta: connection test, POST creates once though UNKNOWN_USER is unset (409 again), GET + PUT, deactivate, reactivate", async () => {
    const id = await replay("okta.json");
    const created = eiam.state.listUsers().filter((u) => u.username === "test.user@okta.local");
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      userId: id,
      displayName: "Another User",
      email: "test.user@okta.local",
      userExternalId: "00ujl29u0le5T6Aj10h7",
      status: "enabled",
    });
    const actions = eiam.state.requestLog.map((r) => r.action);
    expect(actions.filter((a) => a === "CreateUser")).toHaveLength(1);
    expect(actions.filter((a) => a === "DisableUser")).toHaveLength(1);
  }, 60_000);

  it("answers a missing or wrong bearer token 401 in SCIM form, and EIAM is not called", async () => {
    const patch = {
      method: "PATCH",
      path: `/scim/v2/Users/${ZHANG_SAN}`,
      body: { schemas: [], Operations: [{ op: "replace", path: "displayName", value: "Intruder" }] },
    };
    for (const token of [null, "wrong-token", `${TOKEN}x`, "other-token-000"]) {
      const answer = await send(patch, token);
      expect(answer.statusCode).toBe(401);
      expect(answer.headers["content-type"]).toBe("application/scim+json; charset=utf-8");
      expect(answer.headers["www-authenticate"]).toMatch(/^Bearer/);
      const error = expectScimError(JSON.parse(answer.body));
      expect(error).toEqual({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: "401",
        detail: "authentication required",
      });
    }
    expect((await send({ method: "GET", path: "/scim/v2/Users" }, "nope")).statusCode).toBe(401);
    expect(eiam.state.requestLog).toHaveLength(0);
    expect(eiam.state.getUser(ZHANG_SAN)?.displayName).toBe("Zhang San");
  }, 60_000);

  it("receipt order decides: A → B → A ends at A, and a retried identical PATCH writes nothing", async () => {
    const rename = (displayName: string) => ({
      method: "PATCH",
      path: `/scim/v2/Users/${GRACE}`,
      body: {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", path: "displayName", value: displayName }],
      },
    });
    for (const name of ["Name A", "Name B", "Name A"]) {
      const answer = await send(rename(name));
      expect(answer.statusCode).toBe(200);
      expect(expectScimUser(JSON.parse(answer.body)).displayName).toBe(name);
      expect(eiam.state.getUser(GRACE)?.displayName).toBe(name);
    }
    expect(updateUserCalls(GRACE)).toBe(3);
    // The client got no answer and sends the same request again: a new delivery, nothing to write.
    const retry = await send(rename("Name A"));
    expect(retry.statusCode).toBe(200);
    expect(expectScimUser(JSON.parse(retry.body)).displayName).toBe("Name A");
    expect(updateUserCalls(GRACE)).toBe(3);
    // The same for a deactivation sent twice: one DisableUser.
    const deactivate = {
      method: "PATCH",
      path: `/scim/v2/Users/${GRACE}`,
      body: { schemas: [], Operations: [{ op: "replace", path: "active", value: false }] },
    };
    for (let i = 0; i < 2; i++) expect((await send(deactivate)).statusCode).toBe(200);
    expect(eiam.state.requestLog.filter((r) => r.action === "DisableUser")).toHaveLength(1);
    expect(eiam.state.getUser(GRACE)?.status).toBe("disabled");
  }, 60_000);

  it("DELETE with DELETE_MEANS=delete deletes the user; a PATCH for an unknown user creates nothing (404)", async () => {
    const deleting = startInstance({ ...instanceEnv(), DELETE_MEANS: "delete" });
    const ada = "user_ada0000000000000000000000";
    const gone = await send({ method: "DELETE", path: `/scim/v2/Users/${ada}` }, TOKEN, deleting);
    expect(gone.statusCode).toBe(204);
    expect(gone.body).toBe("");
    expect(eiam.state.getUser(ada)).toBeUndefined();
    expect(eiam.state.requestLog.filter((r) => r.action === "DeleteUser")).toHaveLength(1);
    const again = await send({ method: "GET", path: `/scim/v2/Users/${ada}` }, TOKEN, deleting);
    expect(again.statusCode).toBe(404);
    expectScimError(JSON.parse(again.body));

    const users = eiam.state.listUsers().length;
    const patch = await send({
      method: "PATCH",
      path: "/scim/v2/Users/user_nobody00000000000000000000",
      body: { schemas: [], Operations: [{ op: "replace", path: "displayName", value: "Nobody" }] },
    });
    expect(patch.statusCode).toBe(404);
    expect(eiam.state.listUsers()).toHaveLength(users);
  }, 60_000);
});
