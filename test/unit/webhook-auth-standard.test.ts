import { createHash, createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { parseWebhookAuthSettings } from "../../shared/auth/config.ts";
import { type AuthResult, type HeaderMap, verifyWebhook } from "../../shared/auth/verify.ts";

/** Deterministic 32-byte keys, written the way a Standard Webhooks sender hands them out. */
const key = (label: string) => createHash("sha256").update(label).digest();
const SECRET_A = `whsec_${key("key A").toString("base64")}`;
const SECRET_B = `whsec_${key("key B").toString("base64")}`;
const SECRET_OTHER = `whsec_${key("someone else").toString("base64")}`;

const NOW_MS = 1_750_000_000_456;
const NOW = Math.floor(NOW_MS / 1000);
const ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
const BODY = '{"type":"user.updated","user":{"userId":"u-1","displayName":"Zoë"}}';

const settings = parseWebhookAuthSettings({
  WEBHOOK_AUTH: "standard-webhooks",
  WEBHOOK_SECRETS: `${SECRET_A}, ${SECRET_B}`,
  WEBHOOK_MAX_BODY_BYTES: "1024",
});

/** Signed by the reference implementation, so passing proves interop with the spec's own library. */
function sign(opts: { secret?: string; id?: string; ts?: number; body?: string } = {}): string {
  const { secret = SECRET_A, id = ID, ts = NOW, body = BODY } = opts;
  return new Webhook(secret).sign(id, new Date(ts * 1000), body);
}

function headers(overrides: Record<string, string | undefined> = {}): HeaderMap {
  return {
    "content-type": "application/json",
    "webhook-id": ID,
    "webhook-timestamp": String(NOW),
    "webhook-signature": sign(),
    ...overrides,
  };
}

/** A well-formed v1 signature that is nobody's HMAC. */
const FORGED = `v1,${Buffer.alloc(32, 7).toString("base64")}`;
/** An ed25519-sized `v1a` entry, which this verifier does not check. */
const V1A = `v1a,${Buffer.alloc(64, 9).toString("base64")}`;
const validSig = sign().slice("v1,".length);

const OK: AuthResult = { ok: true, scheme: "standard-webhooks", webhookId: ID, timestamp: NOW };
const fail = (reason: string) => ({ ok: false, reason });

interface Case {
  name: string;
  body?: string | Buffer;
  headers: HeaderMap;
  expected: AuthResult | ReturnType<typeof fail>;
}

const cases: Case[] = [
  { name: "valid", headers: headers(), expected: OK },
  {
    name: "valid with an empty body",
    body: "",
    headers: headers({ "webhook-signature": sign({ body: "" }) }),
    expected: OK,
  },
  {
    name: "rotation: signed with the second configured secret",
    headers: headers({ "webhook-signature": sign({ secret: SECRET_B }) }),
    expected: OK,
  },
  {
    name: "several signatures, only the last one valid",
    headers: headers({ "webhook-signature": `${FORGED} ${V1A} ${sign({ secret: SECRET_OTHER })} ${sign()}` }),
    expected: OK,
  },
  {
    name: "signature header missing",
    headers: headers({ "webhook-signature": undefined }),
    expected: fail("missing_signature"),
  },
  { name: "id header missing", headers: headers({ "webhook-id": undefined }), expected: fail("missing_id") },
  {
    name: "timestamp header missing",
    headers: headers({ "webhook-timestamp": undefined }),
    expected: fail("missing_timestamp"),
  },
  {
    name: "forged signature",
    headers: headers({ "webhook-signature": FORGED }),
    expected: fail("signature_mismatch"),
  },
  {
    name: "signed with a secret that is not configured",
    headers: headers({ "webhook-signature": sign({ secret: SECRET_OTHER }) }),
    expected: fail("signature_mismatch"),
  },
  {
    name: "expired: one second older than the tolerance",
    headers: headers({
      "webhook-timestamp": String(NOW - 301),
      "webhook-signature": sign({ ts: NOW - 301 }),
    }),
    expected: fail("timestamp_too_old"),
  },
  {
    name: "exactly at the tolerance in the past",
    headers: headers({
      "webhook-timestamp": String(NOW - 300),
      "webhook-signature": sign({ ts: NOW - 300 }),
    }),
    expected: { ...OK, timestamp: NOW - 300 },
  },
  {
    name: "future: one second beyond the tolerance",
    headers: headers({
      "webhook-timestamp": String(NOW + 301),
      "webhook-signature": sign({ ts: NOW + 301 }),
    }),
    expected: fail("timestamp_in_future"),
  },
  {
    name: "exactly at the tolerance in the future",
    headers: headers({
      "webhook-timestamp": String(NOW + 300),
      "webhook-signature": sign({ ts: NOW + 300 }),
    }),
    expected: { ...OK, timestamp: NOW + 300 },
  },
  {
    name: "replay: fresh timestamp on an hour-old signature",
    headers: headers({ "webhook-timestamp": String(NOW), "webhook-signature": sign({ ts: NOW - 3600 }) }),
    expected: fail("signature_mismatch"),
  },
  {
    name: "body tampered by one byte",
    body: BODY.replace("u-1", "u-2"),
    headers: headers(),
    expected: fail("signature_mismatch"),
  },
  { name: "id tampered", headers: headers({ "webhook-id": `${ID}x` }), expected: fail("signature_mismatch") },
  {
    name: "upper-case header names (the caller must lower-case them) count as missing",
    headers: { "Webhook-Id": ID, "Webhook-Timestamp": String(NOW), "Webhook-Signature": sign() },
    expected: fail("missing_signature"),
  },
  {
    name: "whitespace around values and between entries",
    headers: headers({
      "webhook-id": `  ${ID}\t`,
      "webhook-timestamp": ` ${NOW} `,
      "webhook-signature": `  ${FORGED}    ${sign()}  `,
    }),
    expected: OK,
  },
  {
    name: "only a v1a entry",
    headers: headers({ "webhook-signature": V1A }),
    expected: fail("malformed_signature"),
  },
  {
    name: "upper-case version V1",
    headers: headers({ "webhook-signature": `V1,${validSig}` }),
    expected: fail("malformed_signature"),
  },
  {
    name: "signature header only whitespace",
    headers: headers({ "webhook-signature": "   " }),
    expected: fail("missing_signature"),
  },
  {
    name: "only empty entries",
    headers: headers({ "webhook-signature": " , ,, " }),
    expected: fail("malformed_signature"),
  },
  {
    name: "empty entries around a valid one",
    headers: headers({ "webhook-signature": ` ,, ${sign()} , ` }),
    expected: OK,
  },
  {
    name: "version without a signature, then a valid entry",
    headers: headers({ "webhook-signature": `v1, ${sign()}` }),
    expected: OK,
  },
  {
    name: 'duplicated header joined with ", " (Node)',
    headers: headers({ "webhook-signature": `${FORGED}, ${sign()}` }),
    expected: OK,
  },
  {
    name: 'duplicated header joined with "," (FC)',
    headers: headers({ "webhook-signature": `${FORGED},${sign()}` }),
    expected: OK,
  },
  {
    name: "duplicated webhook-id headers",
    headers: headers({ "webhook-id": `${ID}, ${ID}` }),
    expected: fail("missing_id"),
  },
  {
    name: "duplicated webhook-timestamp headers",
    headers: headers({ "webhook-timestamp": `${NOW},${NOW}` }),
    expected: fail("malformed_timestamp"),
  },
  {
    name: "id containing '.' (even when correctly signed)",
    headers: headers({ "webhook-id": "msg.1", "webhook-signature": sign({ id: "msg.1" }) }),
    expected: fail("missing_id"),
  },
  {
    name: "id of 257 characters",
    headers: headers({ "webhook-id": "m".repeat(257), "webhook-signature": sign({ id: "m".repeat(257) }) }),
    expected: fail("missing_id"),
  },
  {
    name: "id of 256 characters",
    headers: headers({ "webhook-id": "m".repeat(256), "webhook-signature": sign({ id: "m".repeat(256) }) }),
    expected: { ...OK, webhookId: "m".repeat(256) },
  },
  {
    name: "timestamp not a number",
    headers: headers({ "webhook-timestamp": "yesterday" }),
    expected: fail("malformed_timestamp"),
  },
  {
    name: "timestamp with a fraction",
    headers: headers({ "webhook-timestamp": `${NOW}.5` }),
    expected: fail("malformed_timestamp"),
  },
  {
    name: "timestamp negative",
    headers: headers({ "webhook-timestamp": `-${NOW}` }),
    expected: fail("malformed_timestamp"),
  },
  {
    name: "timestamp with a leading zero",
    headers: headers({ "webhook-timestamp": `0${NOW}` }),
    expected: fail("malformed_timestamp"),
  },
  {
    name: "timestamp in milliseconds (13 digits)",
    headers: headers({ "webhook-timestamp": String(NOW_MS) }),
    expected: fail("malformed_timestamp"),
  },
  {
    name: "signature not base64",
    headers: headers({ "webhook-signature": `v1,${"!".repeat(43)}=` }),
    expected: fail("malformed_signature"),
  },
  {
    name: "signature without its padding",
    headers: headers({ "webhook-signature": `v1,${validSig.replace(/=$/, "")}` }),
    expected: fail("malformed_signature"),
  },
  {
    name: "signature of the wrong length",
    headers: headers({ "webhook-signature": `v1,${Buffer.alloc(20).toString("base64")}` }),
    expected: fail("malformed_signature"),
  },
  {
    name: "signature spelled with other unused trailing bits (same bytes, not the signed text)",
    headers: headers({ "webhook-signature": `v1,${flipUnusedBits(validSig)}` }),
    expected: fail("signature_mismatch"),
  },
  {
    name: "more than 64 tokens, even with a valid entry",
    headers: headers({ "webhook-signature": `${Array(32).fill(FORGED).join(" ")} ${sign()}` }),
    expected: fail("malformed_signature"),
  },
  {
    name: "body one byte over the maximum",
    body: "x".repeat(1025),
    headers: headers({ "webhook-signature": sign({ body: "x".repeat(1025) }) }),
    expected: fail("body_too_large"),
  },
  {
    name: "body exactly at the maximum",
    body: "x".repeat(1024),
    headers: headers({ "webhook-signature": sign({ body: "x".repeat(1024) }) }),
    expected: OK,
  },
];

/** base64 of 32 bytes ends in a character whose low 2 bits are unused; change them. */
function flipUnusedBits(signature: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const last = alphabet.indexOf(signature[42]!);
  return `${signature.slice(0, 42)}${alphabet[last ^ 1]}=`;
}

describe("verifyWebhook, Standard Webhooks", () => {
  it.each(cases)("$name", ({ body = BODY, headers: given, expected }) => {
    const raw = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    expect(verifyWebhook(raw, given, settings, NOW_MS)).toEqual(expected);
  });

  it("verifies the raw bytes, not a re-decoded string (non-UTF-8 body signed with node:crypto)", () => {
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);
    const mac = createHmac("sha256", key("key A")).update(`${ID}.${NOW}.`).update(raw).digest("base64");
    expect(verifyWebhook(raw, headers({ "webhook-signature": `v1,${mac}` }), settings, NOW_MS)).toEqual(OK);
    const reDecoded = Buffer.from(raw.toString("utf8"), "utf8");
    expect(verifyWebhook(reDecoded, headers({ "webhook-signature": `v1,${mac}` }), settings, NOW_MS)).toEqual(
      fail("signature_mismatch"),
    );
  });

  it("the trailing-bits case really spells the same bytes differently", () => {
    const flipped = flipUnusedBits(validSig);
    expect(flipped).not.toBe(validSig);
    expect(Buffer.from(flipped, "base64")).toEqual(Buffer.from(validSig, "base64"));
  });

  it("a failure result carries only the reason, never a signature or a secret", () => {
    const result = verifyWebhook(
      Buffer.from(BODY),
      headers({ "webhook-signature": FORGED }),
      settings,
      NOW_MS,
    );
    expect(Object.keys(result).sort()).toEqual(["ok", "reason"]);
  });
});

describe("agrees with the reference verifier of the standardwebhooks package", () => {
  // The reference reads the real clock, so these cases sit far from the tolerance edges.
  const now = Math.floor(Date.now() / 1000);
  const signAt = (ts: number, opts: { secret?: string; body?: string } = {}) => sign({ ts, ...opts });
  const interop = [
    { name: "valid", ts: now, signature: signAt(now), body: BODY },
    { name: "several entries, one valid", ts: now, signature: `${FORGED} ${V1A} ${signAt(now)}`, body: BODY },
    { name: "wrong secret", ts: now, signature: signAt(now, { secret: SECRET_OTHER }), body: BODY },
    { name: "tampered body", ts: now, signature: signAt(now), body: `${BODY} ` },
    { name: "only v1a", ts: now, signature: V1A, body: BODY },
    { name: "ten minutes old", ts: now - 600, signature: signAt(now - 600), body: BODY },
    { name: "ten minutes ahead", ts: now + 600, signature: signAt(now + 600), body: BODY },
    { name: "replayed with a new timestamp", ts: now, signature: signAt(now - 600), body: BODY },
  ];
  const singleSecret = parseWebhookAuthSettings({
    WEBHOOK_AUTH: "standard-webhooks",
    WEBHOOK_SECRETS: SECRET_A,
  });

  it.each(interop)("$name", ({ ts, signature, body }) => {
    const given = { "webhook-id": ID, "webhook-timestamp": String(ts), "webhook-signature": signature };
    let referenceAccepts = true;
    try {
      new Webhook(SECRET_A).verify(body, given);
    } catch {
      referenceAccepts = false;
    }
    const ours = verifyWebhook(Buffer.from(body), given, singleSecret, Date.now());
    expect(ours.ok).toBe(referenceAccepts);
  });

  it("the interop table covers both outcomes", () => {
    const accepted = interop.filter(({ ts, signature, body }) => {
      const given = { "webhook-id": ID, "webhook-timestamp": String(ts), "webhook-signature": signature };
      return verifyWebhook(Buffer.from(body), given, singleSecret, Date.now()).ok;
    });
    expect(accepted.map((c) => c.name)).toEqual(["valid", "several entries, one valid"]);
  });
});
