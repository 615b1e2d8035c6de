/**
 * Webhook authentication for the HTTP trigger: the dispatcher that picks the scheme (the types are in types.ts).
 * Everything here is pure (no I/O) and works on the raw body bytes, before anything parses them.
 */
import { verifyHmacSignature } from "./hmac-signature.ts";
import { verifyStandardWebhook } from "./standard-webhooks.ts";
import type { AuthFailureReason, AuthResult, HeaderMap, WebhookAuthSettings } from "./types.ts";

export type {
  AuthFailureReason,
  AuthResult,
  AuthScheme,
  HeaderMap,
  HmacSignatureSettings,
  NoAuthSettings,
  StandardWebhooksSettings,
  WebhookAuthSettings,
} from "./types.ts";

/** Verifies one delivery. Never throws for any body or header content; `nowMs` is the caller's clock. */
export function verifyWebhook(
  rawBody: Buffer,
  headers: HeaderMap,
  settings: WebhookAuthSettings,
  nowMs: number,
): AuthResult {
  switch (settings.mode) {
    case "standard-webhooks":
      return verifyStandardWebhook(rawBody, headers, settings, nowMs);
    case "hmac-sha256":
      return verifyHmacSignature(rawBody, headers, settings, nowMs);
    case "none":
      return { ok: true, scheme: "none" };
  }
}

const FAILURE_DESCRIPTIONS: Readonly<Record<AuthFailureReason, string>> = {
  missing_signature: "the signature header is missing or empty",
  missing_timestamp: "the timestamp header is missing or empty",
  missing_id:
    "the webhook-id header is missing, or is not 1-256 visible ASCII characters without '.' (it is signed, so it must be usable as-is)",
  malformed_signature: "the signature header holds no signature in the expected format",
  malformed_timestamp:
    "the timestamp header is not Unix time in whole seconds (digits only, no leading zero, at most 12 digits)",
  timestamp_too_old: "the signed timestamp is older than the allowed tolerance",
  timestamp_in_future: "the signed timestamp is further in the future than the allowed tolerance",
  signature_mismatch: "no signature matches the body with any configured secret",
  body_too_large: "the body is larger than the configured maximum",
};

/** A sentence for logs or a 401 body; it names the rule and never the expected signature or a secret. */
export function describeAuthFailure(reason: AuthFailureReason): string {
  return FAILURE_DESCRIPTIONS[reason];
}
