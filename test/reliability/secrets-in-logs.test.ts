/**
 * Secrets and personal data: the real FC entry runs in child processes (so every byte it writes to stdout and
 * stderr is captured) through every path — applied, invalid, dead-lettered, retried, deferred, webhook
 * rejected, dead-letter publishing failing, unknown shapes, redrive, configuration errors — with AccessKey
 * secrets, an STS token and webhook secrets in play. No log line may hold a secret or an unmasked email or phone
 * number from the inputs, and no answer may hold a secret.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CUSTOM_FIELDS, DEMO_INSTANCE_ID, DEMO_USERS } from "../../local/demo-data.ts";
import { type EiamEmulator, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import { type MnsEmulator, startMnsEmulator } from "../../local/mns-emulator/server.ts";
import { redriveEnvelope } from "../../shared/handler/redrive.ts";
import { canonicalEvent, httpTriggerEvent } from "../helpers/fc-events.ts";
import { type ChildRun, type ChildStep, invokeStep, startChild } from "./support/child-plan.ts";
import { publishedDeadLetters } from "./support/dead-letter-topic.ts";
import { emailNeedles, findLeaks, phoneNeedles, secretNeedles } from "./support/leak-scan.ts";
import { mnsQueueBatch } from "./support/mns-cloud-events.ts";
import { newWhsecSecret, nowSeconds, standardHeaders } from "./support/webhook-signing.ts";

const ZHANG = DEMO_USERS[0]!.userId;
const LI = DEMO_USERS[1]!.userId;
const TOPIC = "eiam-user-sync-dlq";

const SECRETS = {
  "env AccessKey secret": `EnvAkSecret${randomBytes(12).toString("hex")}`,
  "STS AccessKey secret": `StsAkSecret${randomBytes(12).toString("hex")}`,
  "STS token": `CAIS${randomBytes(90).toString("base64")}`,
  "webhook secret": newWhsecSecret(32),
  "misplaced hmac secret": `hmac-secret-${randomBytes(16).toString("hex")}`,
};
const ENV_KEY = { accessKeyId: "LTAI_env_key_for_logs", accessKeySecret: SECRETS["env AccessKey secret"] };
const STS_KEY = {
  accessKeyId: "STS.NUlogsTestKey",
  accessKeySecret: SECRETS["STS AccessKey secret"],
  securityToken: SECRETS["STS token"],
};

const EMAILS = [
  "Secret.Person@Example.com",
  "zhang.san@example.com",
  "broken person@example.com",
  "hidden.user@example.org",
  "deferred.person@example.com",
  "forged.sender@example.com",
  "batch.person@example.com",
  "ghost.batch@example.com",
  "downtime.person@example.com",
  "dlq.failure@example.com",
  "garbage.start@example.com",
  "firstname.lastname.verylong@example.com",
  "scim.work@example.com",
  "scim.home@example.net",
  "ada.l@example.com",
];
const PHONES = [
  { input: "+86 156 9999 8888", national: "15699998888" },
  { input: "0086 137 1234 9876", national: "13712349876" },
  { input: "+8615866667777", national: "15866667777" },
  { input: "+86 135 2468 1357", national: "13524681357" },
  { input: "+86 131 2222 3333", national: "13122223333" },
  { input: "+86 136 5432 1098", national: "13654321098" },
];
const PHONE = (i: number) => PHONES[i]!.input;

let eiam: EiamEmulator;
let mns: MnsEmulator;
const runs: Array<{ name: string; run: ChildRun }> = [];

function baseEnv(): Record<string, string> {
  return {
    EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
    EIAM_ENDPOINT: eiam.endpoint,
    EIAM_PROTOCOL: "http",
    ALIBABA_CLOUD_ACCESS_KEY_ID: ENV_KEY.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ENV_KEY.accessKeySecret,
    EIAM_MAX_ATTEMPTS: "3",
    EIAM_RETRY_BASE_MS: "5",
    EIAM_RETRY_MAX_MS: "20",
    LOG_LEVEL: "debug",
    WEBHOOK_AUTH: "standard-webhooks",
    WEBHOOK_SECRETS: SECRETS["webhook secret"],
    DEAD_LETTER_TOPIC: TOPIC,
    MNS_ACCOUNT_ID: mns.accountId,
    MNS_ENDPOINT: mns.url,
  };
}

function context(credentials: Record<string, string> | undefined = STS_KEY) {
  return {
    requestId: `logs-${randomBytes(6).toString("hex")}`,
    ...(credentials ? { credentials } : {}),
    function: { name: "eiam-user-sync", handler: "index.handler", timeout: 20 },
    region: "cn-hangzhou",
  };
}

function signedHttp(body: unknown, headers: Record<string, string> = {}): ChildStep {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const id = `msg_${randomBytes(8).toString("hex")}`;
  const signed = standardHeaders(SECRETS["webhook secret"], id, nowSeconds(Date.now()), text);
  return invokeStep(httpTriggerEvent(text, { headers: { ...signed, ...headers } }), context());
}

const faults = (settings: unknown): ChildStep => ({
  kind: "admin",
  url: `${eiam.url}/__admin/faults`,
  method: "PUT",
  body: settings,
});

function batch(bodies: string[]): ChildStep {
  return invokeStep(
    mnsQueueBatch(bodies.map((body, i) => ({ messageId: `LOGS${Date.now()}${i}`, body }))),
    context(),
  );
}

/** Every path the function has, with personal data and secrets in play. */
function mainScenario(): ChildStep[] {
  const ev = (changes: Record<string, unknown>, user: Record<string, unknown> = { userId: ZHANG }) =>
    canonicalEvent({ user }, changes);
  return [
    signedHttp(ev({ displayName: "Secret Person", email: EMAILS[0], phone: PHONE(0) })),
    signedHttp(ev({ phone: PHONE(1) }, { email: "Secret.Person@example.com" })),
    invokeStep(
      httpTriggerEvent(JSON.stringify(ev({ displayName: "Env Credentials" })), {
        headers: standardHeaders(
          SECRETS["webhook secret"],
          "msg_env_creds",
          nowSeconds(Date.now()),
          JSON.stringify(ev({ displayName: "Env Credentials" })),
        ),
      }),
      context(undefined),
    ),
    signedHttp(ev({ email: EMAILS[2], phone: "+86 12 3456", displayName: "Valid Name" })),
    signedHttp(ev({ email: EMAILS[3], phone: PHONE(2) }, { userId: "user_doesnotexist0000000000000" })),
    signedHttp(ev({ email: "Secret.Person@example.com" }, { userId: LI })),
    signedHttp(ev({ displayName: "Unknown By Email" }, { email: EMAILS[1] })),
    faults({ failNext: [{ kind: "5xx", count: 2 }] }),
    signedHttp(ev({ phone: PHONE(3) })),
    faults({ failureRate: 1, failureKinds: ["5xx"] }),
    signedHttp(ev({ email: EMAILS[4] })),
    faults({}),
    invokeStep(
      httpTriggerEvent(JSON.stringify(ev({ email: EMAILS[5] })), {
        headers: {
          "webhook-id": "msg_forged",
          "webhook-timestamp": String(nowSeconds(Date.now())),
          "webhook-signature": `v1,${randomBytes(32).toString("base64")}`,
        },
      }),
      context(),
    ),
    signedHttp(ev({ email: EMAILS[5] }), { "webhook-timestamp": String(nowSeconds(Date.now()) - 3600) }),
    signedHttp(
      {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        id: ZHANG,
        emails: [
          { value: EMAILS[12], type: "work" },
          { value: EMAILS[13], type: "home" },
        ],
        phoneNumbers: [
          { value: PHONE(5), type: "mobile" },
          { value: PHONE(4), type: "home" },
        ],
      },
      { "content-type": "application/scim+json" },
    ),
    batch([
      JSON.stringify(ev({ displayName: "Batch Person", email: EMAILS[6] })),
      JSON.stringify(ev({ phone: "+86 139 0000" })),
      JSON.stringify(ev({ displayName: "Ghost" }, { email: EMAILS[7] })),
      `${EMAILS[6]} is not JSON ${PHONE(4)}`,
    ]),
    faults({ failureRate: 1, failureKinds: ["5xx"] }),
    batch([JSON.stringify(ev({ email: EMAILS[8], phone: PHONE(4) }))]),
    faults({}),
    {
      kind: "admin",
      url: `${mns.url}/__admin/fail-next`,
      method: "POST",
      body: { operation: "PublishMessage", count: 3 },
    },
    batch([JSON.stringify(ev({ email: EMAILS[9], phone: "+86 12" }))]),
    invokeStep(Buffer.from(`${EMAILS[10]}, ${PHONE(4)} and more`), context()),
    invokeStep(Buffer.from(JSON.stringify({ [EMAILS[11]!]: PHONE(4) })), context()),
    invokeStep(Buffer.from(JSON.stringify({ [EMAILS[14]!]: 1 })), context()),
  ];
}

async function run(name: string, steps: ChildStep[], env: Record<string, string>) {
  const result = await startChild(steps, env).done;
  runs.push({ name, run: result });
  return result;
}

beforeAll(async () => {
  eiam = await startEiamEmulator({
    instanceIds: [DEMO_INSTANCE_ID],
    credentials: [ENV_KEY, STS_KEY],
    users: DEMO_USERS,
    customFields: DEMO_CUSTOM_FIELDS,
  });
  mns = await startMnsEmulator({ topics: [{ name: TOPIC }], credentials: [ENV_KEY, STS_KEY] });

  await run("main scenario", mainScenario(), baseEnv());
  // What an operator does next: hand every dead letter back through the invoke API.
  const redrives = publishedDeadLetters(mns, TOPIC).map((d) =>
    invokeStep(Buffer.from(JSON.stringify(redriveEnvelope(d.messageId, d.record))), context()),
  );
  await run("redrive", redrives, baseEnv());
  // A broken configuration, with secrets in the environment and one pasted into the wrong variable.
  const { EIAM_INSTANCE_ID: _missing, ...noInstance } = baseEnv();
  await run("configuration error", [signedHttp(canonicalEvent({}, { email: EMAILS[0] })), batch(["{}"])], {
    ...noInstance,
    EIAM_MAX_QPS: SECRETS["env AccessKey secret"],
  });
  // Webhook authentication misconfigured: a secret pasted where a header name and a prefix go.
  const { WEBHOOK_SECRETS: _sw, ...noWebhook } = baseEnv();
  await run("webhook auth misconfigured", [signedHttp(canonicalEvent({}, { email: EMAILS[0] }))], {
    ...noWebhook,
    WEBHOOK_AUTH: "hmac-sha256",
    WEBHOOK_SECRETS: `${SECRETS["misplaced hmac secret"]},`,
    WEBHOOK_SIGNATURE_HEADER: `x ${SECRETS["misplaced hmac secret"]}`,
    WEBHOOK_SIGNATURE_PREFIX: `${SECRETS["misplaced hmac secret"]},`,
  });
}, 120_000);

afterAll(async () => {
  await eiam?.close();
  await mns?.close();
});

function allLogs(): string {
  return runs.map(({ run }) => `${run.stdout}\n${run.stderr}`).join("\n");
}

function allAnswers(): string {
  return runs.flatMap(({ run }) => run.answers.map((a) => JSON.stringify(a))).join("\n");
}

describe("secrets and personal data never reach the logs", () => {
  it("the run went through every path (so the scan below means something)", () => {
    const main = runs.find((r) => r.name === "main scenario")!.run;
    const statuses = main.answers.flatMap((a) =>
      a.ok && typeof a.answer === "object" && a.answer !== null && "statusCode" in a.answer
        ? [(a.answer as { statusCode: number }).statusCode]
        : [],
    );
    expect(new Set(statuses)).toEqual(new Set([200, 400, 401, 422, 503]));
    const errors = runs.flatMap(({ run }) =>
      run.answers.flatMap((a) => (a.ok ? [] : [String(a.error.name)])),
    );
    expect(errors).toContain("DeadLetterPublishError");
    expect(errors.filter((e) => e === "ConfigError").length).toBeGreaterThanOrEqual(3);
    expect(publishedDeadLetters(mns, TOPIC).length).toBeGreaterThanOrEqual(5);
    expect(runs.find((r) => r.name === "redrive")!.run.answers.length).toBeGreaterThanOrEqual(5);
    const lines = allLogs()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { msg: string; status?: string });
    const seen = new Set(lines.map((l) => (l.status ? `${l.msg}: ${l.status}` : l.msg)));
    for (const msg of [
      "event outcome: applied",
      "event outcome: dead_lettered",
      "event outcome: deferred",
      "webhook rejected",
      "invocation failed",
    ]) {
      expect(seen).toContain(msg);
    }
  });

  it("no log line holds an AccessKey secret, the STS token or a webhook secret", () => {
    expect(findLeaks(allLogs(), secretNeedles(SECRETS))).toEqual([]);
  });

  it("no answer holds a secret", () => {
    expect(findLeaks(allAnswers(), secretNeedles(SECRETS))).toEqual([]);
  });

  it("no log line holds an unmasked email address from the inputs", () => {
    expect(findLeaks(allLogs(), emailNeedles(EMAILS))).toEqual([]);
  });

  it("no log line holds an unmasked phone number from the inputs", () => {
    expect(findLeaks(allLogs(), phoneNeedles(PHONES))).toEqual([]);
  });
});
