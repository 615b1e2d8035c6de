import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_SIGNATURE_HEADER,
  DEFAULT_TOLERANCE_SECONDS,
  parseWebhookAuthSettings,
} from "../../shared/auth/config.ts";

const KEY = createHash("sha256").update("config key").digest();
const WHSEC = `whsec_${KEY.toString("base64")}`;
const KEY_2 = createHash("sha256").update("config key 2").digest();
const WHSEC_2 = `whsec_${KEY_2.toString("base64")}`;
/** Put into every failing case; no error message may contain it, in any spelling. */
const CANARY = "Sup3rS3cretCanaryValue";

type Env = Record<string, string | undefined>;

function messageOf(env: Env): string {
  try {
    parseWebhookAuthSettings(env);
  } catch (error) {
    if (error instanceof Error) return error.message;
    throw error;
  }
  throw new Error("expected parseWebhookAuthSettings to throw");
}

describe("parseWebhookAuthSettings: valid settings", () => {
  it.each([
    { name: "none", env: { WEBHOOK_AUTH: "none" }, expected: { mode: "none" } },
    {
      name: "none, with surrounding whitespace",
      env: { WEBHOOK_AUTH: "  none " },
      expected: { mode: "none" },
    },
    { name: "none, in upper case", env: { WEBHOOK_AUTH: "NONE" }, expected: { mode: "none" } },
    {
      name: "none, with empty values for the other variables (templates often set them to '')",
      env: { WEBHOOK_AUTH: "none", WEBHOOK_SECRETS: "", WEBHOOK_TOLERANCE_SECONDS: " " },
      expected: { mode: "none" },
    },
    {
      name: "standard-webhooks with defaults",
      env: { WEBHOOK_AUTH: "standard-webhooks", WEBHOOK_SECRETS: WHSEC },
      expected: {
        mode: "standard-webhooks",
        secrets: [KEY],
        toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
        maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      },
    },
    {
      name: "standard-webhooks with two secrets, tolerance and body limit",
      env: {
        WEBHOOK_AUTH: "standard-webhooks",
        WEBHOOK_SECRETS: ` ${WHSEC} ,${WHSEC_2}`,
        WEBHOOK_TOLERANCE_SECONDS: "60",
        WEBHOOK_MAX_BODY_BYTES: "65536",
      },
      expected: {
        mode: "standard-webhooks",
        secrets: [KEY, KEY_2],
        toleranceSeconds: 60,
        maxBodyBytes: 65536,
      },
    },
    {
      name: "hmac-sha256 with defaults",
      env: { WEBHOOK_AUTH: "hmac-sha256", WEBHOOK_SECRETS: "plain secret" },
      expected: {
        mode: "hmac-sha256",
        secrets: [Buffer.from("plain secret")],
        signatureHeader: DEFAULT_SIGNATURE_HEADER,
        encoding: "hex",
        toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
        maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      },
    },
    {
      name: "hmac-sha256 with every variable",
      env: {
        WEBHOOK_AUTH: "hmac-sha256",
        WEBHOOK_SECRETS: `raw-one, base64:${KEY.toString("base64")}, whsec_is_raw_here`,
        WEBHOOK_SIGNATURE_HEADER: "X-Hub-Signature-256",
        WEBHOOK_SIGNATURE_ENCODING: "BASE64",
        WEBHOOK_SIGNATURE_PREFIX: "sha256=",
        WEBHOOK_TIMESTAMP_HEADER: "X-HR-Timestamp",
        WEBHOOK_TOLERANCE_SECONDS: "86400",
        WEBHOOK_MAX_BODY_BYTES: String(32 * 1024 * 1024),
      },
      expected: {
        mode: "hmac-sha256",
        secrets: [Buffer.from("raw-one"), KEY, Buffer.from("whsec_is_raw_here")],
        signatureHeader: "x-hub-signature-256",
        encoding: "base64",
        prefix: "sha256=",
        timestampHeader: "x-hr-timestamp",
        toleranceSeconds: 86400,
        maxBodyBytes: 32 * 1024 * 1024,
      },
    },
  ])("$name", ({ env, expected }) => {
    expect(parseWebhookAuthSettings(env)).toEqual(expected);
  });
});

describe("parseWebhookAuthSettings: invalid settings name the variable and the rule", () => {
  const std = { WEBHOOK_AUTH: "standard-webhooks", WEBHOOK_SECRETS: WHSEC };
  const hmac = { WEBHOOK_AUTH: "hmac-sha256", WEBHOOK_SECRETS: CANARY };
  const shortKey = Buffer.from(CANARY).toString("base64"); // 22 bytes: below the spec's 24

  it.each([
    {
      name: "WEBHOOK_AUTH unset",
      env: { WEBHOOK_SECRETS: CANARY },
      expected: /WEBHOOK_AUTH is not set.*"standard-webhooks".*"hmac-sha256".*"none"/,
    },
    { name: "WEBHOOK_AUTH empty", env: { WEBHOOK_AUTH: "  " }, expected: /WEBHOOK_AUTH is not set/ },
    {
      name: "WEBHOOK_AUTH unknown",
      env: { WEBHOOK_AUTH: CANARY },
      expected: /WEBHOOK_AUTH is not valid\. Choose one/,
    },
    {
      name: "WEBHOOK_AUTH misspelt",
      env: { WEBHOOK_AUTH: "hmac" },
      expected: /WEBHOOK_AUTH is not valid/,
    },
    {
      name: "none with secrets set",
      env: { WEBHOOK_AUTH: "none", WEBHOOK_SECRETS: CANARY },
      expected: /WEBHOOK_SECRETS is set but WEBHOOK_AUTH=none ignores it/,
    },
    {
      name: "none with a body limit set",
      env: { WEBHOOK_AUTH: "none", WEBHOOK_MAX_BODY_BYTES: "100" },
      expected: /WEBHOOK_MAX_BODY_BYTES is set but WEBHOOK_AUTH=none ignores it/,
    },
    {
      name: "standard-webhooks without secrets",
      env: { WEBHOOK_AUTH: "standard-webhooks" },
      expected: /WEBHOOK_SECRETS must be set/,
    },
    {
      name: "standard-webhooks secret without whsec_",
      env: { ...std, WEBHOOK_SECRETS: `${WHSEC},${KEY.toString("base64")}${CANARY}` },
      expected: /WEBHOOK_SECRETS entry 2 of 2 must be whsec_ followed by standard padded base64/,
    },
    {
      name: "standard-webhooks secret that is not base64",
      env: { ...std, WEBHOOK_SECRETS: `whsec_${CANARY}!` },
      expected: /WEBHOOK_SECRETS entry 1 of 1 must be whsec_ followed by/,
    },
    {
      name: "standard-webhooks secret too short",
      env: { ...std, WEBHOOK_SECRETS: `whsec_${shortKey}` },
      expected: /WEBHOOK_SECRETS entry 1 of 1 must decode to 24 to 64 bytes/,
    },
    {
      name: "standard-webhooks secret too long",
      env: { ...std, WEBHOOK_SECRETS: `whsec_${Buffer.alloc(65, CANARY).toString("base64")}` },
      expected: /WEBHOOK_SECRETS entry 1 of 1 must decode to 24 to 64 bytes/,
    },
    {
      name: "an empty entry between commas",
      env: { ...hmac, WEBHOOK_SECRETS: `${CANARY},,other` },
      expected: /WEBHOOK_SECRETS entry 2 of 3 is empty/,
    },
    {
      name: "hmac base64: secret that is not base64",
      env: { ...hmac, WEBHOOK_SECRETS: `base64:${CANARY}*` },
      expected: /WEBHOOK_SECRETS entry 1 of 1 must be base64: followed by/,
    },
    {
      name: "hmac base64: secret that is empty",
      env: { ...hmac, WEBHOOK_SECRETS: "base64:" },
      expected: /WEBHOOK_SECRETS entry 1 of 1 must be base64: followed by non-empty/,
    },
    {
      name: "standard-webhooks with an hmac-only variable",
      env: { ...std, WEBHOOK_SIGNATURE_HEADER: "x-sig" },
      expected: /WEBHOOK_SIGNATURE_HEADER is set but WEBHOOK_AUTH=standard-webhooks ignores it/,
    },
    {
      name: "standard-webhooks with a timestamp header",
      env: { ...std, WEBHOOK_TIMESTAMP_HEADER: "x-ts" },
      expected: /WEBHOOK_TIMESTAMP_HEADER is set but WEBHOOK_AUTH=standard-webhooks ignores it/,
    },
    {
      name: "signature header that is not a header name",
      env: { ...hmac, WEBHOOK_SIGNATURE_HEADER: "x signature" },
      expected: /WEBHOOK_SIGNATURE_HEADER must be an HTTP header name/,
    },
    {
      name: "signature encoding unknown",
      env: { ...hmac, WEBHOOK_SIGNATURE_ENCODING: "base32" },
      expected: /WEBHOOK_SIGNATURE_ENCODING must be "hex" or "base64"/,
    },
    {
      name: "prefix with a space",
      env: { ...hmac, WEBHOOK_SIGNATURE_PREFIX: "sha 256=" },
      expected: /WEBHOOK_SIGNATURE_PREFIX must be visible ASCII without spaces or commas/,
    },
    {
      name: "prefix with a comma",
      env: { ...hmac, WEBHOOK_SIGNATURE_PREFIX: "t=1,v1=" },
      expected: /WEBHOOK_SIGNATURE_PREFIX must be visible ASCII without spaces or commas/,
    },
    {
      name: "timestamp header that is not a header name",
      env: { ...hmac, WEBHOOK_TIMESTAMP_HEADER: "x:ts" },
      expected: /WEBHOOK_TIMESTAMP_HEADER must be an HTTP header name/,
    },
    {
      name: "timestamp header equal to the signature header",
      env: { ...hmac, WEBHOOK_TIMESTAMP_HEADER: "X-Signature" },
      expected: /WEBHOOK_TIMESTAMP_HEADER must differ from WEBHOOK_SIGNATURE_HEADER/,
    },
    {
      name: "hmac tolerance without a timestamp header",
      env: { ...hmac, WEBHOOK_TOLERANCE_SECONDS: "300" },
      expected: /WEBHOOK_TOLERANCE_SECONDS has no effect without WEBHOOK_TIMESTAMP_HEADER/,
    },
    {
      name: "tolerance not a number",
      env: { ...std, WEBHOOK_TOLERANCE_SECONDS: "5m" },
      expected: /WEBHOOK_TOLERANCE_SECONDS must be a whole number/,
    },
    {
      name: "tolerance with a fraction",
      env: { ...std, WEBHOOK_TOLERANCE_SECONDS: "1.5" },
      expected: /WEBHOOK_TOLERANCE_SECONDS must be a whole number/,
    },
    {
      name: "tolerance zero",
      env: { ...std, WEBHOOK_TOLERANCE_SECONDS: "0" },
      expected: /WEBHOOK_TOLERANCE_SECONDS must be at least 1/,
    },
    {
      name: "tolerance above a day",
      env: { ...std, WEBHOOK_TOLERANCE_SECONDS: "86401" },
      expected: /WEBHOOK_TOLERANCE_SECONDS must be at most 86400/,
    },
    {
      name: "body limit with a unit",
      env: { ...std, WEBHOOK_MAX_BODY_BYTES: "1MB" },
      expected: /WEBHOOK_MAX_BODY_BYTES must be a whole number/,
    },
    {
      name: "body limit zero",
      env: { ...std, WEBHOOK_MAX_BODY_BYTES: "0" },
      expected: /WEBHOOK_MAX_BODY_BYTES must be at least 1/,
    },
    {
      name: "body limit above FC's 32 MB",
      env: { ...std, WEBHOOK_MAX_BODY_BYTES: String(32 * 1024 * 1024 + 1) },
      expected: /WEBHOOK_MAX_BODY_BYTES must be at most 33554432/,
    },
  ])("$name", ({ env, expected }) => {
    const message = messageOf(env);
    expect(message).toMatch(expected);
    for (const spelling of [CANARY, Buffer.from(CANARY).toString("base64"), KEY.toString("base64")]) {
      expect(message).not.toContain(spelling);
    }
  });

  it("lists every problem at once", () => {
    const message = messageOf({
      WEBHOOK_AUTH: "hmac-sha256",
      WEBHOOK_SECRETS: `base64:${CANARY}*`,
      WEBHOOK_SIGNATURE_ENCODING: "b64",
      WEBHOOK_MAX_BODY_BYTES: "-1",
    });
    const lines = message.split("\n");
    expect(lines[0]).toBe("Invalid webhook auth settings:");
    expect(lines.slice(1).map((line) => line.split(" ")[1])).toEqual([
      "WEBHOOK_MAX_BODY_BYTES",
      "WEBHOOK_SIGNATURE_ENCODING",
      "WEBHOOK_SECRETS",
    ]);
    expect(message).not.toContain(CANARY);
  });

  it("throws a plain Error with no cause that could carry the input", () => {
    let thrown: unknown;
    try {
      parseWebhookAuthSettings({ WEBHOOK_AUTH: "standard-webhooks", WEBHOOK_SECRETS: `whsec_${CANARY}` });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).cause).toBeUndefined();
    expect(JSON.stringify(thrown)).not.toContain(CANARY);
  });
});
