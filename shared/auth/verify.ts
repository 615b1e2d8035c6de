/**
 * Webhook authentication for the HTTP trigger: the shared types and the dispatcher that picks the scheme.
 * Everything here is pure (no I/O) and works on the raw body bytes, before anything parses them.
 */
import { verifyHmacSignature } from "./hmac-signature.ts";
import { verifyStandardWebhook } from "./standard-webhooks.ts";

/** Request headers with lower-cased names; a header sent several times is already joined into one value. */
export type HeaderMap = Readonly<Record<string, string | undefined>>;

export type AuthScheme = "standard-webhooks" | "hmac-sha256" | "none";

export type AuthFailureReason =
  | "missing_signature"
  | "missing_timestamp"
  | "missing_id"
  | "malformed_signature"
  | "malformed_timestamp"
  | "timestamp_too_old"
  | "timestamp_in_future"
  | "signature_mismatch"
  | "body_too_large";

/**
 * `timestamp` is the signed Unix time in seconds, present when the scheme signs one.
 * `webhookId` is the Standard Webhooks `webhook-id`, stable across retries of one message.
 */
export type AuthResult =
  | { ok: true; scheme: AuthScheme; webhookId?: string; timestamp?: number }
  | { ok: false; reason: AuthFailureReason };

export interface StandardWebhooksSettings {
  mode: "standard-webhooks";
  /** Decoded keys (the bytes after `whsec_`); several during a rotation, any one may match. */
  secrets: readonly Buffer[];
  /** How far the signed timestamp may be from now, in seconds, in either direction. */
  toleranceSeconds: number;
  maxBodyBytes: number;
}

export interface HmacSignatureSettings {
  mode: "hmac-sha256";
  /** Key bytes; several during a rotation, any one may match. */
  secrets: readonly Buffer[];
  /** Name of the header that carries the signature (matched lower-cased). */
  signatureHeader: string;
  encoding: "hex" | "base64";
  /** Text in front of the signature, e.g. `sha256=`; matched case-sensitively. */
  prefix?: string;
  /** When set, the signed content is `${timestamp}.${body}` and `toleranceSeconds` applies; else just the body. */
  timestampHeader?: string;
  toleranceSeconds: number;
  maxBodyBytes: number;
}

/** No check here: for triggers that FC itself authenticates (`authType: function` or `jwt`) and local use. */
export interface NoAuthSettings {
  mode: "none";
}

export type WebhookAuthSettings = StandardWebhooksSettings | HmacSignatureSettings | NoAuthSettings;

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
