/**
 * Standard Webhooks (https://www.standardwebhooks.com) symmetric `v1` signatures:
 * base64(HMAC-SHA256(key, `${webhook-id}.${webhook-timestamp}.${body}`)) in `webhook-signature`.
 */
import { createHmac } from "node:crypto";
import { anyPairEqual, splitSignatureTokens } from "./signature-match.ts";
import { checkTimestampWindow, parseUnixSeconds } from "./timestamp.ts";
import type { AuthResult, HeaderMap, StandardWebhooksSettings } from "./types.ts";

/** Visible ASCII except `.` (the separator of the signed content), at most 256 characters. */
const WEBHOOK_ID = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;
/** A version label such as `v1` or `v1a`; short, so it can never be mistaken for a signature. */
const VERSION_LABEL = /^v[0-9][0-9a-z]{0,7}$/;
/** base64 of a 32-byte HMAC-SHA256, padded, exactly as the reference library writes it. */
const V1_SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;

export function verifyStandardWebhook(
  rawBody: Buffer,
  headers: HeaderMap,
  settings: StandardWebhooksSettings,
  nowMs: number,
): AuthResult {
  if (rawBody.length > settings.maxBodyBytes) return { ok: false, reason: "body_too_large" };

  const signatureHeader = headers["webhook-signature"]?.trim();
  if (!signatureHeader) return { ok: false, reason: "missing_signature" };
  const webhookId = headers["webhook-id"]?.trim();
  if (!webhookId || !WEBHOOK_ID.test(webhookId)) return { ok: false, reason: "missing_id" };
  const timestampText = headers["webhook-timestamp"]?.trim();
  if (!timestampText) return { ok: false, reason: "missing_timestamp" };
  const timestamp = parseUnixSeconds(timestampText);
  if (timestamp === undefined) return { ok: false, reason: "malformed_timestamp" };

  const signatures = v1Signatures(signatureHeader);
  if (signatures.length === 0) return { ok: false, reason: "malformed_signature" };

  const outsideWindow = checkTimestampWindow(timestamp, nowMs, settings.toleranceSeconds);
  if (outsideWindow) return { ok: false, reason: outsideWindow };

  const signedPrefix = Buffer.from(`${webhookId}.${timestampText}.`, "utf8");
  const expected = settings.secrets.map((key) =>
    Buffer.from(createHmac("sha256", key).update(signedPrefix).update(rawBody).digest("base64"), "ascii"),
  );
  const candidates = signatures.map((signature) => Buffer.from(signature, "ascii"));
  if (!anyPairEqual(candidates, expected)) return { ok: false, reason: "signature_mismatch" };
  return { ok: true, scheme: "standard-webhooks", webhookId, timestamp };
}

/**
 * The well-formed `v1` signatures of the header. Entries are `version,signature` separated by spaces; other
 * versions (e.g. `v1a`, ed25519) and broken entries are skipped. Tokens are paired rather than split on the
 * space alone so that a header joined from duplicates ("v1,A,v1,B" or "v1,A, v1,B") still parses.
 */
function v1Signatures(headerValue: string): string[] {
  const tokens = splitSignatureTokens(headerValue);
  if (tokens === undefined) return [];
  const found: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const label = tokens[i]!;
    const value = tokens[i + 1];
    if (!VERSION_LABEL.test(label) || value === undefined || VERSION_LABEL.test(value)) continue;
    i++;
    if (label === "v1" && V1_SIGNATURE.test(value)) found.push(value);
  }
  return found;
}
