/**
 * The generalised `hmac` scheme: HMAC-SHA256/512/SHA-1 of a signed content built from a template, in one header,
 * hex or base64, optionally behind a prefix. The template combines the raw body with a timestamp header, a
 * delivery-id header, the method and the path (so a route can refuse a request replayed to another path).
 * Named presets (github, bamboohr, hibob, stripe-style) are settings of this scheme: see presets.ts.
 */
import { createHmac } from "node:crypto";
import { type Authenticator, type DoorRequest, pass, reject, type Verdict } from "./authenticator.ts";
import { anyPairEqual, splitSignatureTokens } from "./signature-match.ts";
import { checkTimestampWindow, parseUnixSeconds } from "./timestamp.ts";

export type HmacAlgorithm = "sha256" | "sha512" | "sha1";
export type TemplateField = "body" | "timestamp" | "deliveryId" | "method" | "path";
export type TemplatePart = { literal: string } | { field: TemplateField };

export interface HmacSettings {
  /** Key bytes; several during a rotation, any one may match. */
  secrets: readonly Buffer[];
  algorithm: HmacAlgorithm;
  encoding: "hex" | "base64";
  /** Lower-case header name holding the signature. */
  header: string;
  /** `plain`: signatures (behind `prefix`) separated by commas or spaces; `stripe`: `t=<unix>,v1=<sig>[,v1=…]`. */
  headerFormat: "plain" | "stripe";
  prefix?: string;
  template: readonly TemplatePart[];
  /** Lower-case; the timestamp then comes from this header (from `t=` with the stripe format). */
  timestampHeader?: string;
  /** Lower-case; its value names the delivery (it becomes the delivery id). */
  deliveryIdHeader?: string;
  /** When set, the timestamp must be Unix seconds within this many seconds of now. */
  toleranceSeconds?: number;
}

export const TEMPLATE_FIELDS: readonly TemplateField[] = [
  "body",
  "timestamp",
  "deliveryId",
  "method",
  "path",
];
const PLACEHOLDER = /\{([A-Za-z]{1,16})\}/g;
/** Visible ASCII, at most 256 characters: a delivery id we sign and use as is. */
const DELIVERY_ID = /^[\x21-\x7e]{1,256}$/;
const DIGEST_BYTES: Readonly<Record<HmacAlgorithm, number>> = { sha256: 32, sha512: 64, sha1: 20 };

/** `{body}`, `{timestamp}.{body}`, `{method} {path}\n{body}`…; returns the parts or the problems. */
export function parseTemplate(text: string): { parts: TemplatePart[] } | { problems: string[] } {
  const parts: TemplatePart[] = [];
  const problems: string[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push({ literal: text.slice(last, match.index) });
    const name = match[1] as TemplateField;
    if (TEMPLATE_FIELDS.includes(name)) parts.push({ field: name });
    else
      problems.push(`unknown placeholder {${name}}; use ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(", ")}`);
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ literal: text.slice(last) });
  const bodies = parts.filter((part) => "field" in part && part.field === "body").length;
  if (bodies !== 1) problems.push("must contain {body} exactly once");
  return problems.length > 0 ? { problems } : { parts };
}

export function templateUses(parts: readonly TemplatePart[], field: TemplateField): boolean {
  return parts.some((part) => "field" in part && part.field === field);
}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+$/;

/** The signature without its base64 padding (a loop, not `/=+$/`, which backtracks on a run of `=`). */
function withoutPadding(signature: string): string {
  let end = signature.length;
  while (end > 0 && signature[end - 1] === "=") end -= 1;
  return signature.slice(0, end);
}

/** A signature of the digest's exact length in the configured encoding (hex, or base64 with up to 2 `=`). */
function wellFormed(signature: string, settings: HmacSettings): boolean {
  const bytes = DIGEST_BYTES[settings.algorithm];
  if (settings.encoding === "hex") return signature.length === bytes * 2 && HEX.test(signature);
  const body = withoutPadding(signature);
  return (
    body.length === Math.ceil((bytes * 4) / 3) && signature.length - body.length <= 2 && BASE64.test(body)
  );
}

/** One spelling per signature, so comparing text compares values: lower-case hex, base64 without padding. */
function canonical(signature: string, encoding: "hex" | "base64"): string {
  return encoding === "hex" ? signature.toLowerCase() : withoutPadding(signature);
}

interface SignatureHeader {
  signatures: string[];
  timestamp?: string;
}

function readHeader(value: string, settings: HmacSettings): SignatureHeader | undefined {
  const tokens = splitSignatureTokens(value);
  if (tokens === undefined) return undefined;
  if (settings.headerFormat === "plain") {
    const prefix = settings.prefix ?? "";
    return {
      signatures: tokens
        .filter((token) => token.startsWith(prefix))
        .map((token) => token.slice(prefix.length)),
    };
  }
  const found: SignatureHeader = { signatures: [] };
  for (const token of tokens) {
    if (token.startsWith("t=")) found.timestamp ??= token.slice(2);
    else if (token.startsWith("v1=")) found.signatures.push(token.slice(3));
  }
  return found;
}

export function verifyHmac(request: DoorRequest, settings: HmacSettings, nowMs: number): Verdict {
  const headerValue = request.headers[settings.header]?.trim();
  if (!headerValue) return reject("missing_signature");
  const header = readHeader(headerValue, settings);
  if (header === undefined) return reject("malformed_signature");

  const needsTimestamp =
    templateUses(settings.template, "timestamp") || settings.toleranceSeconds !== undefined;
  const timestamp =
    settings.headerFormat === "stripe"
      ? header.timestamp
      : settings.timestampHeader && request.headers[settings.timestampHeader]?.trim();
  if (needsTimestamp && !timestamp) return reject("missing_timestamp");
  if (settings.toleranceSeconds !== undefined && timestamp) {
    const seconds = parseUnixSeconds(timestamp);
    if (seconds === undefined) return reject("malformed_timestamp");
    const outside = checkTimestampWindow(seconds, nowMs, settings.toleranceSeconds);
    if (outside) return reject(outside);
  }
  const deliveryId = settings.deliveryIdHeader && request.headers[settings.deliveryIdHeader]?.trim();
  if (deliveryId !== undefined && deliveryId !== "" && !DELIVERY_ID.test(deliveryId))
    return reject("missing_id");
  if (templateUses(settings.template, "deliveryId") && !deliveryId) return reject("missing_id");

  const candidates = header.signatures
    .filter((signature) => wellFormed(signature, settings))
    .map((signature) => Buffer.from(canonical(signature, settings.encoding), "ascii"));
  if (candidates.length === 0) return reject("malformed_signature");

  const values: Record<TemplateField, Buffer> = {
    body: request.body,
    timestamp: Buffer.from(timestamp || "", "utf8"),
    deliveryId: Buffer.from(deliveryId || "", "utf8"),
    method: Buffer.from(request.method, "utf8"),
    path: Buffer.from(request.path, "utf8"),
  };
  const content = settings.template.map((part) =>
    "literal" in part ? Buffer.from(part.literal, "utf8") : values[part.field],
  );
  const expected = settings.secrets.map((key) => {
    const hmac = createHmac(settings.algorithm, key);
    for (const piece of content) hmac.update(piece);
    return Buffer.from(canonical(hmac.digest(settings.encoding), settings.encoding), "ascii");
  });
  if (!anyPairEqual(candidates, expected)) return reject("signature_mismatch");
  return deliveryId ? pass({ deliveryId }) : pass();
}

export function hmacAuthenticator(scheme: string, settings: HmacSettings): Authenticator {
  return { scheme, check: (request, nowMs) => verifyHmac(request, settings, nowMs) };
}
