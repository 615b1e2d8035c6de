import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseWebhookAuthSettings } from "../../shared/auth/config.ts";
import {
  type AuthResult,
  type HeaderMap,
  type HmacSignatureSettings,
  verifyWebhook,
} from "../../shared/auth/verify.ts";

const RAW_SECRET = "hr-shared-secret-one";
const BINARY_SECRET = Buffer.from("binary secret two \u0000\u00ff", "latin1");
const OTHER_SECRET = "not-our-secret";
const SECRETS = `${RAW_SECRET},base64:${BINARY_SECRET.toString("base64")}`;

const NOW_MS = 1_750_000_000_789;
const NOW = Math.floor(NOW_MS / 1000);
const BODY = '{"event":"employee.changed","employeeId":"E-1001","email":"a.b@example.com"}';

type Secret = string | Buffer;
/** The test signs with node:crypto, independently of the code under test. */
function mac(secret: Secret, content: string, encoding: "hex" | "base64" = "hex"): string {
  return createHmac("sha256", secret).update(content).digest(encoding);
}

/** Reads the settings through the real config parser, as the handler will. */
function hmacSettings(env: Record<string, string>): HmacSignatureSettings {
  const settings = parseWebhookAuthSettings(env);
  if (settings.mode !== "hmac-sha256") throw new Error(`expected hmac-sha256 settings, got ${settings.mode}`);
  return settings;
}

const hexBodyOnly = hmacSettings({ WEBHOOK_AUTH: "hmac-sha256", WEBHOOK_SECRETS: SECRETS });
const githubStyle = hmacSettings({
  WEBHOOK_AUTH: "hmac-sha256",
  WEBHOOK_SECRETS: SECRETS,
  WEBHOOK_SIGNATURE_HEADER: "X-Hub-Signature-256",
  WEBHOOK_SIGNATURE_PREFIX: "sha256=",
});
const base64Settings = hmacSettings({
  WEBHOOK_AUTH: "hmac-sha256",
  WEBHOOK_SECRETS: SECRETS,
  WEBHOOK_SIGNATURE_ENCODING: "base64",
  WEBHOOK_MAX_BODY_BYTES: "200",
});
const withTimestamp = hmacSettings({
  WEBHOOK_AUTH: "hmac-sha256",
  WEBHOOK_SECRETS: SECRETS,
  WEBHOOK_TIMESTAMP_HEADER: "x-timestamp",
  WEBHOOK_TOLERANCE_SECONDS: "120",
});
type Settings = HmacSignatureSettings;

const OK: AuthResult = { ok: true, scheme: "hmac-sha256" };
const OK_AT = (timestamp: number): AuthResult => ({ ok: true, scheme: "hmac-sha256", timestamp });
const fail = (reason: string) => ({ ok: false, reason });

interface Case {
  name: string;
  settings: Settings;
  body?: string;
  headers: HeaderMap;
  expected: AuthResult | ReturnType<typeof fail>;
}

const sigHex = mac(RAW_SECRET, BODY);
const sigB64 = mac(RAW_SECRET, BODY, "base64");
const signedAt = (ts: number, secret: Secret = RAW_SECRET) => mac(secret, `${ts}.${BODY}`);

const cases: Case[] = [
  { name: "hex, valid", settings: hexBodyOnly, headers: { "x-signature": sigHex }, expected: OK },
  {
    name: "hex compared case-insensitively",
    settings: hexBodyOnly,
    headers: { "x-signature": sigHex.toUpperCase() },
    expected: OK,
  },
  {
    name: "rotation: signed with the second (base64:) secret",
    settings: hexBodyOnly,
    headers: { "x-signature": mac(BINARY_SECRET, BODY) },
    expected: OK,
  },
  {
    name: "signed with a secret that is not configured",
    settings: hexBodyOnly,
    headers: { "x-signature": mac(OTHER_SECRET, BODY) },
    expected: fail("signature_mismatch"),
  },
  {
    name: "forged signature",
    settings: hexBodyOnly,
    headers: { "x-signature": "ab".repeat(32) },
    expected: fail("signature_mismatch"),
  },
  {
    name: "body tampered by one byte",
    settings: hexBodyOnly,
    body: BODY.replace("E-1001", "E-1002"),
    headers: { "x-signature": sigHex },
    expected: fail("signature_mismatch"),
  },
  {
    name: "signature header missing",
    settings: hexBodyOnly,
    headers: {},
    expected: fail("missing_signature"),
  },
  {
    name: "signature header empty",
    settings: hexBodyOnly,
    headers: { "x-signature": "  " },
    expected: fail("missing_signature"),
  },
  {
    name: "upper-case header name (the caller must lower-case) counts as missing",
    settings: hexBodyOnly,
    headers: { "X-Signature": sigHex },
    expected: fail("missing_signature"),
  },
  {
    name: "hex of the wrong length",
    settings: hexBodyOnly,
    headers: { "x-signature": sigHex.slice(0, 40) },
    expected: fail("malformed_signature"),
  },
  {
    name: "base64 sent where hex is configured",
    settings: hexBodyOnly,
    headers: { "x-signature": sigB64 },
    expected: fail("malformed_signature"),
  },
  {
    name: "whitespace around the value",
    settings: hexBodyOnly,
    headers: { "x-signature": `\t ${sigHex}  ` },
    expected: OK,
  },
  {
    name: 'duplicated header joined with ", ", one valid',
    settings: hexBodyOnly,
    headers: { "x-signature": `${"00".repeat(32)}, ${sigHex}` },
    expected: OK,
  },
  {
    name: 'duplicated header joined with "," (FC), one valid',
    settings: hexBodyOnly,
    headers: { "x-signature": `${sigHex},${"00".repeat(32)}` },
    expected: OK,
  },
  {
    name: "without a timestamp header an old signature still passes (no replay protection)",
    settings: hexBodyOnly,
    headers: { "x-signature": sigHex, "x-timestamp": String(NOW - 86_400) },
    expected: OK,
  },
  { name: "base64, valid", settings: base64Settings, headers: { "x-signature": sigB64 }, expected: OK },
  {
    name: "base64 without padding",
    settings: base64Settings,
    headers: { "x-signature": sigB64.replace(/=+$/, "") },
    expected: OK,
  },
  {
    name: "hex sent where base64 is configured",
    settings: base64Settings,
    headers: { "x-signature": sigHex },
    expected: fail("malformed_signature"),
  },
  {
    name: "base64 body one byte over the maximum",
    settings: base64Settings,
    body: "y".repeat(201),
    headers: { "x-signature": mac(RAW_SECRET, "y".repeat(201), "base64") },
    expected: fail("body_too_large"),
  },
  {
    name: "prefix sha256= in a custom header",
    settings: githubStyle,
    headers: { "x-hub-signature-256": `sha256=${sigHex}` },
    expected: OK,
  },
  {
    name: "prefix missing",
    settings: githubStyle,
    headers: { "x-hub-signature-256": sigHex },
    expected: fail("malformed_signature"),
  },
  {
    name: "other prefix",
    settings: githubStyle,
    headers: { "x-hub-signature-256": `sha1=${sigHex}` },
    expected: fail("malformed_signature"),
  },
  {
    name: "signature in the default header while a custom one is configured",
    settings: githubStyle,
    headers: { "x-signature": `sha256=${sigHex}` },
    expected: fail("missing_signature"),
  },
  {
    name: "timestamp header: valid",
    settings: withTimestamp,
    headers: { "x-signature": signedAt(NOW), "x-timestamp": String(NOW) },
    expected: OK_AT(NOW),
  },
  {
    name: "timestamp header: rotation to the second secret",
    settings: withTimestamp,
    headers: { "x-signature": signedAt(NOW, BINARY_SECRET), "x-timestamp": String(NOW) },
    expected: OK_AT(NOW),
  },
  {
    name: "timestamp header: missing",
    settings: withTimestamp,
    headers: { "x-signature": signedAt(NOW) },
    expected: fail("missing_timestamp"),
  },
  {
    name: "timestamp header: malformed",
    settings: withTimestamp,
    headers: { "x-signature": signedAt(NOW), "x-timestamp": "2025-06-15T12:00:00Z" },
    expected: fail("malformed_timestamp"),
  },
  {
    name: "timestamp header: older than the tolerance",
    settings: withTimestamp,
    headers: { "x-signature": signedAt(NOW - 121), "x-timestamp": String(NOW - 121) },
    expected: fail("timestamp_too_old"),
  },
  {
    name: "timestamp header: newer than the tolerance",
    settings: withTimestamp,
    headers: { "x-signature": signedAt(NOW + 121), "x-timestamp": String(NOW + 121) },
    expected: fail("timestamp_in_future"),
  },
  {
    name: "timestamp header: replayed with a new timestamp on an old signature",
    settings: withTimestamp,
    headers: { "x-signature": signedAt(NOW - 3600), "x-timestamp": String(NOW) },
    expected: fail("signature_mismatch"),
  },
  {
    name: "timestamp header: signature over the body alone is refused",
    settings: withTimestamp,
    headers: { "x-signature": sigHex, "x-timestamp": String(NOW) },
    expected: fail("signature_mismatch"),
  },
];

describe("verifyWebhook, generic HMAC-SHA256", () => {
  it.each(cases)("$name", ({ settings, body = BODY, headers, expected }) => {
    expect(verifyWebhook(Buffer.from(body, "utf8"), headers, settings, NOW_MS)).toEqual(expected);
  });

  it("finds the header when settings built by hand name it in upper case", () => {
    const byHand: Settings = {
      mode: "hmac-sha256",
      secrets: [Buffer.from(RAW_SECRET)],
      signatureHeader: "X-Signature",
      encoding: "hex",
      toleranceSeconds: 300,
      maxBodyBytes: 1024,
    };
    expect(verifyWebhook(Buffer.from(BODY), { "x-signature": sigHex }, byHand, NOW_MS)).toEqual(OK);
  });

  it("with no secrets configured nothing passes", () => {
    const noSecrets: Settings = { ...hexBodyOnly, secrets: [] };
    expect(verifyWebhook(Buffer.from(BODY), { "x-signature": sigHex }, noSecrets, NOW_MS)).toEqual(
      fail("signature_mismatch"),
    );
  });
});
