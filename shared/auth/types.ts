/** The types every webhook authentication scheme shares. */

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
