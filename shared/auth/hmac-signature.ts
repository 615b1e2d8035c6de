/**
 * Generic HMAC-SHA256 signatures as many HR systems send them (GitHub style): one configurable header holding
 * hex or base64 of HMAC-SHA256(key, body), optionally behind a prefix such as `sha256=`. With a timestamp header
 * configured the signed content is `${timestamp}.${body}` and the timestamp must be within the tolerance;
 * without one there is no replay protection.
 */
import { createHmac } from "node:crypto";
import { anyPairEqual, splitSignatureTokens } from "./signature-match.ts";
import { checkTimestampWindow, parseUnixSeconds } from "./timestamp.ts";
import type { AuthResult, HeaderMap, HmacSignatureSettings } from "./types.ts";

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
/** Padding is optional: senders differ, and the bytes are the same either way. */
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=?$/;

export function verifyHmacSignature(
  rawBody: Buffer,
  headers: HeaderMap,
  settings: HmacSignatureSettings,
  nowMs: number,
): AuthResult {
  if (rawBody.length > settings.maxBodyBytes) return { ok: false, reason: "body_too_large" };

  const signatureHeader = headers[settings.signatureHeader.toLowerCase()]?.trim();
  if (!signatureHeader) return { ok: false, reason: "missing_signature" };

  let timestampText: string | undefined;
  let timestamp: number | undefined;
  if (settings.timestampHeader !== undefined) {
    timestampText = headers[settings.timestampHeader.toLowerCase()]?.trim();
    if (!timestampText) return { ok: false, reason: "missing_timestamp" };
    timestamp = parseUnixSeconds(timestampText);
    if (timestamp === undefined) return { ok: false, reason: "malformed_timestamp" };
  }

  const candidates = signatureCandidates(signatureHeader, settings);
  if (candidates.length === 0) return { ok: false, reason: "malformed_signature" };

  if (timestamp !== undefined) {
    const outsideWindow = checkTimestampWindow(timestamp, nowMs, settings.toleranceSeconds);
    if (outsideWindow) return { ok: false, reason: outsideWindow };
  }

  const signedPrefix = timestampText === undefined ? undefined : Buffer.from(`${timestampText}.`, "ascii");
  const expected = settings.secrets.map((key) => {
    const hmac = createHmac("sha256", key);
    if (signedPrefix) hmac.update(signedPrefix);
    return Buffer.from(canonical(hmac.update(rawBody).digest(settings.encoding), settings.encoding), "ascii");
  });
  if (!anyPairEqual(candidates, expected)) return { ok: false, reason: "signature_mismatch" };
  return timestamp === undefined
    ? { ok: true, scheme: "hmac-sha256" }
    : { ok: true, scheme: "hmac-sha256", timestamp };
}

/** Every well-formed signature in the header (more than one when a duplicated header was joined). */
function signatureCandidates(headerValue: string, settings: HmacSignatureSettings): Buffer[] {
  const tokens = splitSignatureTokens(headerValue) ?? [];
  const prefix = settings.prefix ?? "";
  const format = settings.encoding === "hex" ? HEX_SHA256 : BASE64_SHA256;
  const found: Buffer[] = [];
  for (const token of tokens) {
    if (!token.startsWith(prefix)) continue;
    const signature = token.slice(prefix.length);
    if (format.test(signature)) found.push(Buffer.from(canonical(signature, settings.encoding), "ascii"));
  }
  return found;
}

/** One spelling per signature, so comparing text compares values: lower-case hex, base64 without padding. */
function canonical(signature: string, encoding: "hex" | "base64"): string {
  if (encoding === "hex") return signature.toLowerCase();
  let end = signature.length;
  while (end > 0 && signature[end - 1] === "=") end -= 1;
  return signature.slice(0, end);
}
