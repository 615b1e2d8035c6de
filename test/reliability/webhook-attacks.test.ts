/**
 * Webhook attacks against the HTTP trigger, through the real handler, for both signing schemes: missing,
 * forged, expired, future and replayed signatures, wrong secrets, tampered bodies, header tricks and oversized
 * bodies. None may reach EIAM: the emulator's request log stays empty, the answer is 401 (413 for size) with a
 * reason code, and no secret or expected signature ever appears in the answer or the logs.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import type { AuthFailureReason } from "../../shared/auth/verify.ts";
import { handleInvocation } from "../../shared/handler/handle-invocation.ts";
import type { HttpResponse } from "../../shared/handler/http-response.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { canonicalEvent, fcContext, httpTriggerEvent } from "../helpers/fc-events.ts";
import { scaled } from "./support/scale.ts";
import {
  hmacSignature,
  newWhsecSecret,
  nowSeconds,
  standardHeaders,
  standardSignature,
} from "./support/webhook-signing.ts";

const SW_SECRET = newWhsecSecret(32);
/** A second secret configured during a rotation: both must verify, neither may leak. */
const SW_SECRET_OLD = newWhsecSecret(24);
const SW_OTHER = newWhsecSecret(32);
const HMAC_SECRET = `hr-hmac-${randomBytes(24).toString("hex")}`;
const HMAC_HEADER = "x-hub-signature-256";
const HMAC_TS_HEADER = "x-webhook-timestamp";
const TOLERANCE_S = 300;
const MAX_BODY = 64 * 1024;
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_821);

const REASONS: readonly AuthFailureReason[] = [
  "missing_signature",
  "missing_timestamp",
  "missing_id",
  "malformed_signature",
  "malformed_timestamp",
  "timestamp_too_old",
  "timestamp_in_future",
  "signature_mismatch",
  "body_too_large",
];

let eiam: EiamEmulator;
let deadLetterFile: string;
let clockMs = Date.now();
const logLines: string[] = [];
let standard: Runtime;
let hmac: Runtime;

/** Everything that must never be shown: the secrets in every spelling the function holds them. */
function secretSpellings(): string[] {
  return [SW_SECRET, SW_SECRET_OLD, HMAC_SECRET].flatMap((secret) => {
    const raw = secret.startsWith("whsec_") ? secret.slice(6) : secret;
    const key = secret.startsWith("whsec_") ? Buffer.from(raw, "base64") : Buffer.from(raw);
    return [secret, raw, key.toString("hex"), key.toString("base64")];
  });
}

function runtimeWith(auth: Record<string, string>): Runtime {
  return createRuntime(
    {
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
      DEAD_LETTER_FILE: deadLetterFile,
      WEBHOOK_TOLERANCE_SECONDS: String(TOLERANCE_S),
      WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY),
      ...auth,
    },
    {
      now: () => clockMs,
      logger: createLogger({ level: "debug", sink: (line) => logLines.push(line) }),
    },
  );
}

beforeAll(async () => {
  eiam = await startDemoEiam();
  deadLetterFile = join(mkdtempSync(join(tmpdir(), "eiam-sync-webhook-attacks-")), "dead-letters.jsonl");
  standard = runtimeWith({
    WEBHOOK_AUTH: "standard-webhooks",
    WEBHOOK_SECRETS: `${SW_SECRET},${SW_SECRET_OLD}`,
  });
  hmac = runtimeWith({
    WEBHOOK_AUTH: "hmac-sha256",
    WEBHOOK_SECRETS: HMAC_SECRET,
    WEBHOOK_SIGNATURE_HEADER: HMAC_HEADER,
    WEBHOOK_SIGNATURE_PREFIX: "sha256=",
    WEBHOOK_TIMESTAMP_HEADER: HMAC_TS_HEADER,
  });
});

afterAll(async () => {
  await eiam?.close();
});

beforeEach(() => {
  clockMs = Date.now();
  eiam.state.clearRequestLog();
});

function body(displayName = "Attack Target"): string {
  return JSON.stringify(canonicalEvent({}, { displayName }));
}

async function send(runtime: Runtime, text: string, headers: Record<string, string>): Promise<HttpResponse> {
  const answer = await handleInvocation(httpTriggerEvent(text, { headers }), fcContext(), runtime, clockMs);
  if (!("statusCode" in answer)) throw new Error("an HTTP delivery got a batch answer");
  return answer;
}

/** The attack was stopped at the door: the status and reason, nothing sent to EIAM, nothing secret shown. */
function expectRejected(res: HttpResponse, reason: AuthFailureReason, extraSecrets: string[] = []) {
  const json = JSON.parse(res.body) as { status: string; error: { code: string; message: string } };
  expect({ status: res.statusCode, code: json.error.code }).toEqual({
    status: reason === "body_too_large" ? 413 : 401,
    code: reason,
  });
  expect(json.status).toBe("rejected");
  expect(json.error.message.length).toBeGreaterThan(0);
  expect(eiam.state.requestLog).toEqual([]);
  expect(existsSync(deadLetterFile)).toBe(false);
  for (const secret of [...secretSpellings(), ...extraSecrets]) {
    expect(res.body).not.toContain(secret);
    expect(logLines.join("\n")).not.toContain(secret);
  }
}

const swId = () => `msg_${randomUUID().replace(/-/g, "")}`;

describe("Standard Webhooks", () => {
  it("accepts an honest delivery signed by the reference library, with either rotation secret", async () => {
    for (const [i, secret] of [SW_SECRET, SW_SECRET_OLD].entries()) {
      const text = body(`Honest Sender ${i}`);
      const id = swId();
      const signature = new Webhook(secret).sign(id, new Date(clockMs), text);
      const res = await send(standard, text, {
        "webhook-id": id,
        "webhook-timestamp": String(nowSeconds(clockMs)),
        "webhook-signature": signature,
      });
      expect(res.statusCode).toBe(200);
    }
    expect(eiam.state.requestLog.filter((e) => e.action === "UpdateUser")).toHaveLength(2);
  });

  const cases: Array<{
    name: string;
    reason: AuthFailureReason;
    make: () => [string, Record<string, string>];
  }> = [
    {
      name: "no signature header",
      reason: "missing_signature",
      make: () => {
        const text = body();
        const { "webhook-signature": _dropped, ...headers } = standardHeaders(SW_SECRET, swId(), now(), text);
        return [text, headers];
      },
    },
    {
      name: "no webhook-id",
      reason: "missing_id",
      make: () => {
        const text = body();
        const { "webhook-id": _dropped, ...headers } = standardHeaders(SW_SECRET, swId(), now(), text);
        return [text, headers];
      },
    },
    {
      name: "no timestamp",
      reason: "missing_timestamp",
      make: () => {
        const text = body();
        const { "webhook-timestamp": _dropped, ...headers } = standardHeaders(SW_SECRET, swId(), now(), text);
        return [text, headers];
      },
    },
    {
      name: "a forged signature",
      reason: "signature_mismatch",
      make: () => {
        const text = body();
        return [
          text,
          { ...standardHeaders(SW_SECRET, swId(), now(), text), "webhook-signature": forgedV1() },
        ];
      },
    },
    {
      name: "an expired timestamp (signed correctly, 1 s past the tolerance)",
      reason: "timestamp_too_old",
      make: () => {
        const text = body();
        return [text, standardHeaders(SW_SECRET, swId(), now() - TOLERANCE_S - 1, text)];
      },
    },
    {
      name: "a future timestamp (signed correctly, 1 s past the tolerance)",
      reason: "timestamp_in_future",
      make: () => {
        const text = body();
        return [text, standardHeaders(SW_SECRET, swId(), now() + TOLERANCE_S + 1, text)];
      },
    },
    {
      name: "a captured signature with a new timestamp",
      reason: "signature_mismatch",
      make: () => {
        const text = body();
        const id = swId();
        const captured = standardHeaders(SW_SECRET, id, now() - 60, text);
        return [text, { ...captured, "webhook-timestamp": String(now()) }];
      },
    },
    {
      name: "a captured signature with a new webhook-id (to dodge de-duplication)",
      reason: "signature_mismatch",
      make: () => {
        const text = body();
        return [text, { ...standardHeaders(SW_SECRET, swId(), now(), text), "webhook-id": swId() }];
      },
    },
    {
      name: "a secret that is not configured",
      reason: "signature_mismatch",
      make: () => {
        const text = body();
        return [text, standardHeaders(SW_OTHER, swId(), now(), text)];
      },
    },
    {
      name: "a tampered body (one field changed)",
      reason: "signature_mismatch",
      make: () => {
        const text = body("Original Name");
        return [text.replace("Original Name", "Evil Name"), standardHeaders(SW_SECRET, swId(), now(), text)];
      },
    },
    {
      name: "a tampered body (only whitespace added)",
      reason: "signature_mismatch",
      make: () => {
        const text = body();
        return [`${text} `, standardHeaders(SW_SECRET, swId(), now(), text)];
      },
    },
    {
      name: "duplicate signature headers joined with commas, none valid",
      reason: "signature_mismatch",
      make: () => {
        const text = body();
        const headers = standardHeaders(SW_SECRET, swId(), now(), text);
        return [text, { ...headers, "webhook-signature": `v1,${forged()},v1,${forged()}` }];
      },
    },
    {
      name: "a valid signature of another body joined with a forged one",
      reason: "signature_mismatch",
      make: () => {
        const text = body();
        const id = swId();
        const other = standardHeaders(SW_SECRET, id, now(), body("Other Body"))["webhook-signature"];
        return [
          text,
          { ...standardHeaders(SW_SECRET, id, now(), text), "webhook-signature": `${other}, v1,${forged()}` },
        ];
      },
    },
    {
      name: "upper-case header names carrying a forged signature",
      reason: "signature_mismatch",
      make: () => {
        const text = body();
        return [
          text,
          { "WEBHOOK-ID": swId(), "Webhook-Timestamp": String(now()), "WEBHOOK-SIGNATURE": forgedV1() },
        ];
      },
    },
    {
      name: "an upper-case version label (V1) in front of the right signature",
      reason: "malformed_signature",
      make: () => {
        const text = body();
        const headers = standardHeaders(SW_SECRET, swId(), now(), text);
        return [
          text,
          { ...headers, "webhook-signature": headers["webhook-signature"]!.replace("v1,", "V1,") },
        ];
      },
    },
    {
      name: "extra whitespace and line breaks around a forged signature",
      reason: "signature_mismatch",
      make: () => {
        const text = body();
        const headers = standardHeaders(SW_SECRET, swId(), now(), text);
        return [text, { ...headers, "webhook-signature": ` \t ${forgedV1()} \n ` }];
      },
    },
    {
      name: "whitespace inside the webhook-id",
      reason: "missing_id",
      make: () => {
        const text = body();
        return [text, { ...standardHeaders(SW_SECRET, swId(), now(), text), "webhook-id": "msg 1" }];
      },
    },
    {
      name: "a timestamp with a space inside",
      reason: "malformed_timestamp",
      make: () => {
        const text = body();
        const headers = standardHeaders(SW_SECRET, swId(), now(), text);
        return [
          text,
          { ...headers, "webhook-timestamp": `${String(now()).slice(0, 4)} ${String(now()).slice(4)}` },
        ];
      },
    },
    {
      name: "only a v1a (ed25519) entry",
      reason: "malformed_signature",
      make: () => {
        const text = body();
        const headers = standardHeaders(SW_SECRET, swId(), now(), text);
        return [text, { ...headers, "webhook-signature": `v1a,${randomBytes(64).toString("base64")}` }];
      },
    },
    {
      name: "the right HMAC under a v2 label",
      reason: "malformed_signature",
      make: () => {
        const text = body();
        const headers = standardHeaders(SW_SECRET, swId(), now(), text);
        return [
          text,
          { ...headers, "webhook-signature": headers["webhook-signature"]!.replace("v1,", "v2,") },
        ];
      },
    },
    ...["", "v1,", ",", "v1", "   "].map((value) => ({
      name: `an empty or bare signature value ${JSON.stringify(value)}`,
      reason: (value.trim() === "" ? "missing_signature" : "malformed_signature") as AuthFailureReason,
      make: (): [string, Record<string, string>] => {
        const text = body();
        return [text, { ...standardHeaders(SW_SECRET, swId(), now(), text), "webhook-signature": value }];
      },
    })),
    {
      name: "an empty webhook-id",
      reason: "missing_id",
      make: () => {
        const text = body();
        return [text, { ...standardHeaders(SW_SECRET, swId(), now(), text), "webhook-id": "" }];
      },
    },
    {
      name: "a 100 KB signature header of forged entries",
      reason: "malformed_signature",
      make: () => {
        const text = body();
        const long = Array.from({ length: 2000 }, () => forgedV1()).join(" ");
        return [text, { ...standardHeaders(SW_SECRET, swId(), now(), text), "webhook-signature": long }];
      },
    },
    {
      name: "a 64 KB single-token signature",
      reason: "malformed_signature",
      make: () => {
        const text = body();
        const headers = standardHeaders(SW_SECRET, swId(), now(), text);
        return [text, { ...headers, "webhook-signature": `v1,${"A".repeat(64 * 1024)}` }];
      },
    },
    {
      name: "a 300-character webhook-id",
      reason: "missing_id",
      make: () => {
        const text = body();
        const id = "x".repeat(300);
        return [text, standardHeaders(SW_SECRET, id, now(), text)];
      },
    },
    {
      name: "a timestamp in milliseconds",
      reason: "malformed_timestamp",
      make: () => {
        const text = body();
        const id = swId();
        const ms = String(clockMs);
        return [
          text,
          {
            "webhook-id": id,
            "webhook-timestamp": ms,
            "webhook-signature": `v1,${standardSignature(SW_SECRET, id, ms, text)}`,
          },
        ];
      },
    },
    {
      name: "an oversized body, validly signed",
      reason: "body_too_large",
      make: () => {
        const text = JSON.stringify(
          canonicalEvent({}, { customFields: { nick_name: "x".repeat(MAX_BODY) } }),
        );
        return [text, standardHeaders(SW_SECRET, swId(), now(), text)];
      },
    },
  ];

  it.each(cases)("refuses $name", async ({ reason, make }) => {
    const [text, headers] = make();
    expectRejected(await send(standard, text, headers), reason, expectedSignatures(text, headers));
  });

  it("refuses an old valid delivery re-sent after the tolerance", async () => {
    const text = body("Replayed Later");
    const headers = standardHeaders(SW_SECRET, swId(), now(), text);
    expect((await send(standard, text, headers)).statusCode).toBe(200);
    eiam.state.clearRequestLog();
    clockMs += (TOLERANCE_S + 1) * 1000;
    expectRejected(await send(standard, text, headers), "timestamp_too_old");
  });

  it("answers a replay inside the tolerance as a duplicate, without a second UpdateUser", async () => {
    const text = body("Replayed Soon");
    const headers = standardHeaders(SW_SECRET, swId(), now(), text);
    expect(JSON.parse((await send(standard, text, headers)).body)).toMatchObject({ status: "applied" });
    const again = await send(standard, text, headers);
    expect(JSON.parse(again.body)).toMatchObject({ status: "duplicate" });
    expect(eiam.state.requestLog.filter((e) => e.action === "UpdateUser")).toHaveLength(1);
  });

  it("refuses every random mutation of a signed element (property)", async () => {
    await fc.assert(
      fc.asyncProperty(signedElementMutation(), async (mutate) => {
        eiam.state.clearRequestLog();
        const text = body();
        const [mutatedText, headers] = mutate(text, standardHeaders(SW_SECRET, swId(), now(), text));
        const res = await send(standard, mutatedText, headers);
        expect([401, 413]).toContain(res.statusCode);
        expect(REASONS).toContain(
          (JSON.parse(res.body) as { error: { code: AuthFailureReason } }).error.code,
        );
        expect(eiam.state.requestLog).toEqual([]);
      }),
      { seed: SEED, numRuns: scaled(150) },
    );
  });
});

describe("hmac-sha256 with a signed timestamp", () => {
  const hmacHeaders = (text: string, ts = now(), secret = HMAC_SECRET) => ({
    [HMAC_HEADER]: `sha256=${hmacSignature(secret, String(ts), text)}`,
    [HMAC_TS_HEADER]: String(ts),
  });

  it("accepts an honest delivery", async () => {
    const text = body("Honest HMAC");
    expect((await send(hmac, text, hmacHeaders(text))).statusCode).toBe(200);
  });

  const cases: Array<{
    name: string;
    reason: AuthFailureReason;
    make: () => [string, Record<string, string>];
  }> = [
    {
      name: "no signature header",
      reason: "missing_signature",
      make: () => [body(), { [HMAC_TS_HEADER]: String(now()) }],
    },
    {
      name: "no timestamp header",
      reason: "missing_timestamp",
      make: () => {
        const text = body();
        return [text, { [HMAC_HEADER]: hmacHeaders(text)[HMAC_HEADER]! }];
      },
    },
    {
      name: "a forged signature",
      reason: "signature_mismatch",
      make: () => [
        body(),
        { [HMAC_HEADER]: `sha256=${randomBytes(32).toString("hex")}`, [HMAC_TS_HEADER]: String(now()) },
      ],
    },
    {
      name: "an expired timestamp",
      reason: "timestamp_too_old",
      make: () => {
        const text = body();
        return [text, hmacHeaders(text, now() - TOLERANCE_S - 1)];
      },
    },
    {
      name: "a future timestamp",
      reason: "timestamp_in_future",
      make: () => {
        const text = body();
        return [text, hmacHeaders(text, now() + TOLERANCE_S + 1)];
      },
    },
    {
      name: "a captured signature with a new timestamp",
      reason: "signature_mismatch",
      make: () => {
        const text = body();
        return [text, { ...hmacHeaders(text, now() - 100), [HMAC_TS_HEADER]: String(now()) }];
      },
    },
    {
      name: "a signature over the body alone (GitHub style, no timestamp signed)",
      reason: "signature_mismatch",
      make: () => {
        const text = body();
        return [
          text,
          {
            [HMAC_HEADER]: `sha256=${hmacSignature(HMAC_SECRET, undefined, text)}`,
            [HMAC_TS_HEADER]: String(now()),
          },
        ];
      },
    },
    {
      name: "a secret that is not configured",
      reason: "signature_mismatch",
      make: () => {
        const text = body();
        return [text, hmacHeaders(text, now(), `${HMAC_SECRET}-other`)];
      },
    },
    {
      name: "a tampered body",
      reason: "signature_mismatch",
      make: () => {
        const text = body("Original");
        return [text.replace("Original", "Changed!"), hmacHeaders(text)];
      },
    },
    {
      name: "the right signature without its prefix",
      reason: "malformed_signature",
      make: () => {
        const text = body();
        return [
          text,
          { ...hmacHeaders(text), [HMAC_HEADER]: hmacSignature(HMAC_SECRET, String(now()), text) },
        ];
      },
    },
    {
      name: "the right signature behind an upper-case prefix",
      reason: "malformed_signature",
      make: () => {
        const text = body();
        return [
          text,
          {
            ...hmacHeaders(text),
            [HMAC_HEADER]: `SHA256=${hmacSignature(HMAC_SECRET, String(now()), text)}`,
          },
        ];
      },
    },
    {
      name: "a sha1= signature",
      reason: "malformed_signature",
      make: () => [
        body(),
        { [HMAC_HEADER]: `sha1=${randomBytes(20).toString("hex")}`, [HMAC_TS_HEADER]: String(now()) },
      ],
    },
    {
      name: "duplicate signature headers joined with commas, none valid",
      reason: "signature_mismatch",
      make: () => [
        body(),
        {
          [HMAC_HEADER]: `sha256=${randomBytes(32).toString("hex")},sha256=${randomBytes(32).toString("hex")}`,
          [HMAC_TS_HEADER]: String(now()),
        },
      ],
    },
    {
      name: "duplicate timestamp headers joined with a comma",
      reason: "malformed_timestamp",
      make: () => {
        const text = body();
        return [text, { ...hmacHeaders(text), [HMAC_TS_HEADER]: `${now()}, ${now()}` }];
      },
    },
    {
      name: "upper-case header names carrying a forged signature",
      reason: "signature_mismatch",
      make: () => [
        body(),
        {
          "X-Hub-Signature-256": `sha256=${randomBytes(32).toString("hex")}`,
          "X-WEBHOOK-TIMESTAMP": String(now()),
        },
      ],
    },
    {
      name: "whitespace around a forged signature",
      reason: "signature_mismatch",
      make: () => [
        body(),
        { [HMAC_HEADER]: ` \t sha256=${randomBytes(32).toString("hex")} `, [HMAC_TS_HEADER]: String(now()) },
      ],
    },
    {
      name: "an empty signature",
      reason: "missing_signature",
      make: () => [body(), { [HMAC_HEADER]: "", [HMAC_TS_HEADER]: String(now()) }],
    },
    {
      name: "an empty timestamp",
      reason: "missing_timestamp",
      make: () => {
        const text = body();
        return [text, { ...hmacHeaders(text), [HMAC_TS_HEADER]: "" }];
      },
    },
    {
      name: "a 100 KB signature header",
      reason: "malformed_signature",
      make: () => [
        body(),
        { [HMAC_HEADER]: `sha256=${"a".repeat(100 * 1024)}`, [HMAC_TS_HEADER]: String(now()) },
      ],
    },
    {
      name: "an oversized body, validly signed",
      reason: "body_too_large",
      make: () => {
        const text = JSON.stringify(
          canonicalEvent({}, { customFields: { nick_name: "y".repeat(MAX_BODY) } }),
        );
        return [text, hmacHeaders(text)];
      },
    },
  ];

  it.each(cases)("refuses $name", async ({ reason, make }) => {
    const [text, headers] = make();
    const ts = headers[HMAC_TS_HEADER] ?? String(now());
    expectRejected(await send(hmac, text, headers), reason, [hmacSignature(HMAC_SECRET, ts, text)]);
  });

  it("refuses an old valid delivery re-sent after the tolerance", async () => {
    const text = body("HMAC Replayed Later");
    const headers = hmacHeaders(text);
    expect((await send(hmac, text, headers)).statusCode).toBe(200);
    eiam.state.clearRequestLog();
    clockMs += (TOLERANCE_S + 1) * 1000;
    expectRejected(await send(hmac, text, headers), "timestamp_too_old");
  });
});

function now(): number {
  return nowSeconds(clockMs);
}

function forged(): string {
  return randomBytes(32).toString("base64");
}

function forgedV1(): string {
  return `v1,${forged()}`;
}

/** The signatures a correct sender would have sent for this request: the answer must not reveal them. */
function expectedSignatures(text: string, headers: Record<string, string>): string[] {
  const id = headers["webhook-id"] ?? "";
  const ts = headers["webhook-timestamp"] ?? String(now());
  return [SW_SECRET, SW_SECRET_OLD].map((secret) => standardSignature(secret, id, ts, text));
}

type Mutation = (text: string, headers: Record<string, string>) => [string, Record<string, string>];

/** One change to something the signature covers (or to the signature itself), chosen at random. */
function signedElementMutation(): fc.Arbitrary<Mutation> {
  const flipBodyByte = fc.nat().map(
    (at): Mutation =>
      (text, headers) => {
        const bytes = Buffer.from(text);
        const i = at % bytes.length;
        bytes[i] = bytes[i]! ^ 0x01;
        return [bytes.toString("latin1"), headers];
      },
  );
  const newId = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/).map(
    (id): Mutation =>
      (text, headers) => [text, { ...headers, "webhook-id": `${headers["webhook-id"]}${id}` }],
  );
  const shiftTime = fc
    .integer({ min: -TOLERANCE_S, max: TOLERANCE_S })
    .filter((s) => s !== 0)
    .map(
      (shift): Mutation =>
        (text, headers) => [text, { ...headers, "webhook-timestamp": String(now() + shift) }],
    );
  const signatureChar = fc
    .tuple(fc.nat(), fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))
    .map(
      ([at, char]): Mutation =>
        (text, headers) => {
          const signature = headers["webhook-signature"]!;
          const i = 3 + (at % (signature.length - 4));
          const replaced = signature[i] === char ? (char === "A" ? "B" : "A") : char;
          return [
            text,
            { ...headers, "webhook-signature": signature.slice(0, i) + replaced + signature.slice(i + 1) },
          ];
        },
    );
  const appendBody = fc.string({ minLength: 1, maxLength: 20 }).map(
    (tail): Mutation =>
      (text, headers) => [text + tail, headers],
  );
  return fc.oneof(flipBodyByte, newId, shiftTime, signatureChar, appendBody);
}
