/**
 * Feishu / Lark event subscriptions (the `feishu` scheme). Reference: Feishu's "Encrypt Key" and "receive events"
 * pages and the official Go SDK (larksuite/oapi-sdk-go event/dispatcher):
 * - signature (sent only when an Encrypt Key is set): `X-Lark-Signature` = hex SHA-256 of
 *   timestamp + nonce + Encrypt Key + raw body;
 * - `{"encrypt": …}` bodies: key = SHA-256(Encrypt Key); base64 data = 16-byte IV ‖ AES-256-CBC, PKCS#7;
 * - the verification token: `header.token` (v2 events) or `token` (v1 and the challenge);
 * - the `url_verification` challenge is not signed; it is answered `{"challenge": …}` after the token check.
 * An unsigned request is never decrypted further than to see whether it is that challenge, and every failure of
 * an unsigned request gives the same reason, so the answer says nothing about the ciphertext (no padding oracle).
 */
import { createDecipheriv, createHash } from "node:crypto";
import { type Authenticator, type DoorRequest, pass, reject, type Verdict } from "./authenticator.ts";
import { anyPairEqual } from "./signature-match.ts";
import { checkTimestampWindow, parseUnixSeconds } from "./timestamp.ts";

export interface FeishuSettings {
  /** Encrypt Keys (several during a rotation); empty when the app has none (no signature, plaintext bodies). */
  encryptKeys: readonly string[];
  verificationTokens: readonly string[];
  /** UNCONFIRMED unit (Unix seconds assumed): when set, `X-Lark-Request-Timestamp` must be this close to now. */
  toleranceSeconds?: number;
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
/** Feishu's challenges are short tokens; anything else is not echoed. */
const CHALLENGE = /^[\x21-\x7e]{1,256}$/;

type Json = Record<string, unknown>;

function asObject(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** Decrypts `encrypt` with one Encrypt Key; `undefined` when it does not decrypt to text. */
export function feishuDecrypt(encrypt: string, encryptKey: string): Buffer | undefined {
  const data = Buffer.from(encrypt, "base64");
  if (data.length < 32 || data.length % 16 !== 0) return undefined;
  try {
    const key = createHash("sha256").update(encryptKey, "utf8").digest();
    const decipher = createDecipheriv("aes-256-cbc", key, data.subarray(0, 16));
    return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
  } catch {
    return undefined;
  }
}

export function feishuSignature(timestamp: string, nonce: string, encryptKey: string, body: Buffer): string {
  return createHash("sha256").update(`${timestamp}${nonce}${encryptKey}`, "utf8").update(body).digest("hex");
}

function sameAsAny(value: unknown, allowed: readonly string[]): boolean {
  if (typeof value !== "string" || value === "") return false;
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return anyPairEqual([digest(value)], allowed.map(digest));
}

/** v2 events carry the token in `header.token`; v1 events and the challenge at the top level. */
function tokenOf(event: Json): unknown {
  const header = event.header;
  if (event.schema === "2.0" && typeof header === "object" && header !== null) return (header as Json).token;
  return event.token;
}

function challengeAnswer(event: Json, settings: FeishuSettings): Verdict | undefined {
  if (event.type !== "url_verification") return undefined;
  if (!sameAsAny(event.token, settings.verificationTokens)) return reject("token_mismatch");
  if (typeof event.challenge !== "string" || !CHALLENGE.test(event.challenge))
    return reject("malformed_body");
  return { kind: "answer", status: 200, body: { challenge: event.challenge } };
}

/** The signing key that matches, if any (every key is compared, in constant time each). */
function signingKey(request: DoorRequest, settings: FeishuSettings, nowMs: number): Verdict | string {
  const signature = request.headers["x-lark-signature"]?.trim() ?? "";
  const timestamp = request.headers["x-lark-request-timestamp"]?.trim();
  const nonce = request.headers["x-lark-request-nonce"]?.trim();
  if (!timestamp) return reject("missing_timestamp");
  if (!nonce) return reject("missing_nonce");
  if (!HEX_SHA256.test(signature)) return reject("malformed_signature");
  if (settings.toleranceSeconds !== undefined) {
    const seconds = parseUnixSeconds(timestamp);
    if (seconds === undefined) return reject("malformed_timestamp");
    const outside = checkTimestampWindow(seconds, nowMs, settings.toleranceSeconds);
    if (outside) return reject(outside);
  }
  const candidate = Buffer.from(signature.toLowerCase(), "ascii");
  let matched: string | undefined;
  for (const key of settings.encryptKeys) {
    const expected = Buffer.from(feishuSignature(timestamp, nonce, key, request.body), "ascii");
    if (anyPairEqual([candidate], [expected])) matched ??= key;
  }
  return matched ?? reject("signature_mismatch");
}

function unsigned(request: DoorRequest, settings: FeishuSettings): Verdict {
  const body = asObject(request.body.toString("utf8"));
  if (body === undefined) return reject("missing_signature");
  if (settings.encryptKeys.length > 0) {
    // Only the (unsigned) challenge may come without a signature when an Encrypt Key is set.
    if (typeof body.encrypt !== "string") return reject("missing_signature");
    for (const key of settings.encryptKeys) {
      const plain = feishuDecrypt(body.encrypt, key);
      const event = plain && asObject(plain.toString("utf8"));
      if (event?.type === "url_verification") return challengeAnswer(event, settings)!;
    }
    return reject("missing_signature");
  }
  const challenge = challengeAnswer(body, settings);
  if (challenge) return challenge;
  return sameAsAny(tokenOf(body), settings.verificationTokens) ? pass() : reject("token_mismatch");
}

export function verifyFeishu(request: DoorRequest, settings: FeishuSettings, nowMs: number): Verdict {
  if (request.headers["x-lark-signature"] === undefined || settings.encryptKeys.length === 0) {
    return unsigned(request, settings);
  }
  const key = signingKey(request, settings, nowMs);
  if (typeof key !== "string") return key;
  const outer = asObject(request.body.toString("utf8"));
  if (outer === undefined) return reject("malformed_body");
  let plain: Buffer | undefined;
  if (typeof outer.encrypt === "string") {
    plain = feishuDecrypt(outer.encrypt, key);
    if (plain === undefined) return reject("decryption_failed");
  }
  const event = plain === undefined ? outer : asObject(plain.toString("utf8"));
  if (event === undefined) return reject("malformed_body");
  const challenge = challengeAnswer(event, settings);
  if (challenge) return challenge;
  if (!sameAsAny(tokenOf(event), settings.verificationTokens)) return reject("token_mismatch");
  return plain === undefined ? pass() : pass({ body: plain });
}

export function feishuAuthenticator(settings: FeishuSettings): Authenticator {
  return { scheme: "feishu", check: (request, nowMs) => verifyFeishu(request, settings, nowMs) };
}
