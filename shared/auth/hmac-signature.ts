/**
 * `WEBHOOK_AUTH=hmac-sha256` (the catch-all route): hex or base64 HMAC-SHA256 of the body in one configurable
 * header, optionally behind a prefix such as `sha256=`. With a timestamp header configured the signed content is
 * `${timestamp}.${body}` and the timestamp must be within the tolerance; without one there is no replay
 * protection. It is a setting of the route scheme `hmac` (hmac-template.ts), which does the checking.
 */
import { type HmacSettings, verifyHmac } from "./hmac-template.ts";
import { parseUnixSeconds } from "./timestamp.ts";
import type { AuthFailureReason, AuthResult, HeaderMap, HmacSignatureSettings } from "./types.ts";

function asTemplateSettings(settings: HmacSignatureSettings): HmacSettings {
  const timestampHeader = settings.timestampHeader?.toLowerCase();
  return {
    secrets: settings.secrets,
    algorithm: "sha256",
    encoding: settings.encoding,
    header: settings.signatureHeader.toLowerCase(),
    headerFormat: "plain",
    ...(settings.prefix !== undefined ? { prefix: settings.prefix } : {}),
    template:
      timestampHeader === undefined
        ? [{ field: "body" }]
        : [{ field: "timestamp" }, { literal: "." }, { field: "body" }],
    ...(timestampHeader === undefined
      ? {}
      : { timestampHeader, toleranceSeconds: settings.toleranceSeconds }),
  };
}

export function verifyHmacSignature(
  rawBody: Buffer,
  headers: HeaderMap,
  settings: HmacSignatureSettings,
  nowMs: number,
): AuthResult {
  if (rawBody.length > settings.maxBodyBytes) return { ok: false, reason: "body_too_large" };
  const verdict = verifyHmac(
    { method: "POST", path: "/", headers, body: rawBody },
    asTemplateSettings(settings),
    nowMs,
  );
  if (verdict.kind === "reject") return { ok: false, reason: verdict.reason as AuthFailureReason };
  const timestamp =
    settings.timestampHeader === undefined
      ? undefined
      : parseUnixSeconds(headers[settings.timestampHeader.toLowerCase()]?.trim() ?? "");
  return timestamp === undefined
    ? { ok: true, scheme: "hmac-sha256" }
    : { ok: true, scheme: "hmac-sha256", timestamp };
}
