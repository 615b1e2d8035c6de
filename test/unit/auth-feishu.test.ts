/**
 * The feishu scheme: Feishu's published decryption vector, X-Lark-Signature, the url_verification challenge in
 * plain and encrypted form with its token check, and header.token on v2 events.
 */
import { describe, expect, it } from "vitest";
import type { DoorRequest, Verdict } from "../../shared/auth/authenticator.ts";
import { feishuAuthenticator, feishuDecrypt } from "../../shared/auth/feishu.ts";
import { feishuEncrypt, feishuHeaders, feishuUserUpdated } from "../helpers/feishu-sender.ts";

const KEY = "feishu-encrypt-key-2026";
const TOKEN = "rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV"; // the token of Feishu's sample event
const NOW = Date.now();

const request = (body: string, headers: Record<string, string> = {}): DoorRequest => ({
  method: "POST",
  path: "/hooks/feishu",
  headers,
  body: Buffer.from(body),
});
const reason = (verdict: Verdict) => (verdict.kind === "reject" ? verdict.reason : verdict.kind);

describe("feishuDecrypt", () => {
  it("decrypts Feishu's published test vector", () => {
    // Key "test key" → "hello world": the vector in Feishu's SDK tests (e.g. larksuite/oapi-sdk-go, nonebot).
    expect(feishuDecrypt("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=", "test key")?.toString()).toBe(
      "hello world",
    );
  });

  it("gives nothing for a wrong key or a truncated text", () => {
    expect(feishuDecrypt("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=", "other key")?.toString()).not.toBe(
      "hello world",
    );
    expect(feishuDecrypt("P37w+VZImNgPEO1R", "test key")).toBeUndefined();
  });
});

describe("feishu with an Encrypt Key", () => {
  const feishu = feishuAuthenticator({ encryptKeys: ["old-key", KEY], verificationTokens: [TOKEN] });

  it("answers the encrypted url_verification challenge (unsigned, as Feishu sends it) after the token check", () => {
    const challenge = JSON.stringify({
      challenge: "ajls384kdjx98XX",
      token: TOKEN,
      type: "url_verification",
    });
    const body = JSON.stringify({ encrypt: feishuEncrypt(challenge, KEY) });
    expect(feishu.check(request(body), NOW)).toEqual({
      kind: "answer",
      status: 200,
      body: { challenge: "ajls384kdjx98XX" },
    });
    const wrongToken = JSON.stringify({ challenge: "x", token: "nope", type: "url_verification" });
    expect(
      reason(feishu.check(request(JSON.stringify({ encrypt: feishuEncrypt(wrongToken, KEY) })), NOW)),
    ).toBe("token_mismatch");
  });

  it("decrypts a signed event and checks header.token", () => {
    const event = JSON.stringify(
      feishuUserUpdated(TOKEN, "e33ggbyz", "张三", "5e3702a84e847582be8db7fb73283c02"),
    );
    const body = JSON.stringify({ encrypt: feishuEncrypt(event, KEY) });
    const verdict = feishu.check(request(body, feishuHeaders(body, KEY)), NOW);
    expect(verdict.kind === "pass" && verdict.body?.toString("utf8")).toBe(event);

    const forged = JSON.stringify({
      encrypt: feishuEncrypt(JSON.stringify(feishuUserUpdated("x", "u", "n", "e")), KEY),
    });
    expect(reason(feishu.check(request(forged, feishuHeaders(forged, KEY)), NOW))).toBe("token_mismatch");
  });

  it("refuses a bad signature, an unsigned event, and tampered ciphertext alike, without decrypting it", () => {
    const event = JSON.stringify(feishuUserUpdated(TOKEN, "e33ggbyz", "张三", "evt-1"));
    const body = JSON.stringify({ encrypt: feishuEncrypt(event, KEY) });
    const headers = feishuHeaders(body, "another-key");
    expect(reason(feishu.check(request(body, headers), NOW))).toBe("signature_mismatch");
    expect(reason(feishu.check(request(body), NOW))).toBe("missing_signature");
    const tampered = JSON.stringify({ encrypt: `AAAA${feishuEncrypt(event, KEY).slice(4)}` });
    expect(reason(feishu.check(request(tampered), NOW))).toBe("missing_signature");
  });
});

describe("feishu without an Encrypt Key", () => {
  const feishu = feishuAuthenticator({ encryptKeys: [], verificationTokens: [TOKEN] });

  it("answers the plain challenge and checks the token of plain events", () => {
    const challenge = JSON.stringify({ challenge: "c-1", token: TOKEN, type: "url_verification" });
    expect(feishu.check(request(challenge), NOW)).toEqual({
      kind: "answer",
      status: 200,
      body: { challenge: "c-1" },
    });
    const event = JSON.stringify(feishuUserUpdated(TOKEN, "u1", "n", "e1"));
    expect(feishu.check(request(event), NOW)).toEqual({ kind: "pass" });
    expect(
      reason(feishu.check(request(JSON.stringify(feishuUserUpdated("bad", "u1", "n", "e1"))), NOW)),
    ).toBe("token_mismatch");
  });
});
