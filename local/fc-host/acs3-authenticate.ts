/**
 * Checks an FC 3.0 API (2023-03-30) request the way @alicloud/fc20230330 signs it: its base client
 * (@alicloud/openapi-core `doRequest` + `OpenApiUtil.getAuthorization`) sends
 * `Authorization: ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>` over the canonical
 * request `METHOD\npath\nquery\nheaders\nsignedHeaders\nsha256(body)`, where the signed headers are `host`,
 * `content-type` and every `x-acs-*`. We also check the date skew, a replayed nonce, the body hash and an STS
 * token (`x-acs-security-token`), as the platform does.
 */
import { createHash, createHmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { FcApiError } from "./fc-api-error.ts";
import type { FcCredential } from "./fc-authenticate.ts";
import { sameText } from "./fc-signature.ts";

const ALGORITHM = "ACS3-HMAC-SHA256";
const AUTHORIZATION = /^(\S+) Credential=([^,\s]+),SignedHeaders=([^,\s]+),Signature=([0-9a-fA-F]+)$/;
const MUST_SIGN = ["host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"];

export interface Acs3Request {
  method: string;
  /** The path as sent (still percent-encoded: the SDK signs its encoded form). */
  rawPath: string;
  /** Decoded query parameters. */
  query: ReadonlyMap<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Acs3Options {
  credentials: ReadonlyMap<string, FcCredential>;
  /** Default 900 (±15 minutes). */
  maxDateSkewSeconds?: number;
  now?: () => number;
  /** Nonces already used, with when they expire. */
  nonces: Map<string, number>;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}

/** OpenApiUtil `encode`: encodeURIComponent plus `! ' ( ) *`. */
function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(query: ReadonlyMap<string, string>): string {
  return [...query.keys()]
    .sort()
    .map((key) => `${key}=${percentEncode(query.get(key) ?? "")}`)
    .join("&");
}

function denied(code: string, message: string, status = 403): FcApiError {
  return new FcApiError(status, code, message);
}

function claimNonce(options: Acs3Options, key: string, now: number, ttlMs: number): void {
  for (const [seen, expiresAt] of options.nonces) {
    if (expiresAt > now) break;
    options.nonces.delete(seen);
  }
  if ((options.nonces.get(key) ?? 0) > now) {
    throw denied("SignatureNonceUsed", "x-acs-signature-nonce was already used: a replayed request");
  }
  options.nonces.set(key, now + ttlMs);
}

export function authenticateAcs3Request(request: Acs3Request, options: Acs3Options): FcCredential {
  const { headers } = request;
  const match = AUTHORIZATION.exec(single(headers.authorization)?.trim() ?? "");
  if (match === null) {
    throw denied(
      "MissingAuthorization",
      "Authorization must be 'ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>'",
      400,
    );
  }
  const [, algorithm = "", accessKeyId = "", signedList = "", signature = ""] = match;
  if (algorithm !== ALGORITHM) {
    throw denied("InvalidSignatureAlgorithm", `signature algorithm '${algorithm}' is not supported`, 400);
  }
  const signed = signedList.split(";");
  const mustSign = [...MUST_SIGN, ...Object.keys(headers).filter((h) => h.startsWith("x-acs-"))];
  const unsigned = mustSign.find((name) => !signed.includes(name) || headers[name] === undefined);
  if (unsigned !== undefined) {
    throw denied("IncompleteSignature", `header '${unsigned}' must be sent and signed`, 400);
  }
  const credential = options.credentials.get(accessKeyId);
  if (credential === undefined) throw denied("InvalidAccessKeyId.NotFound", "the access key does not exist");

  const bodyHash = createHash("sha256").update(request.body).digest("hex");
  if (!sameText(bodyHash, single(headers["x-acs-content-sha256"]) ?? "")) {
    throw denied("ContentSHA256NotMatch", "x-acs-content-sha256 is not the SHA-256 of the body", 400);
  }
  const canonicalHeaders = signed.map((name) => `${name}:${(single(headers[name]) ?? "").trim()}\n`).join("");
  const canonicalRequest = [
    request.method,
    request.rawPath,
    canonicalQuery(request.query),
    canonicalHeaders,
    signed.join(";"),
    bodyHash,
  ].join("\n");
  const stringToSign = `${ALGORITHM}\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
  const expected = createHmac("sha256", credential.accessKeySecret).update(stringToSign).digest("hex");
  if (!sameText(expected, signature.toLowerCase())) {
    throw denied(
      "SignatureDoesNotMatch",
      `the request signature does not match; the canonical request was ${JSON.stringify(canonicalRequest)}`,
    );
  }

  const now = (options.now ?? Date.now)();
  const date = single(headers["x-acs-date"]) ?? "";
  const sent = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(date) ? Date.parse(date) : Number.NaN;
  if (Number.isNaN(sent))
    throw denied("InvalidTimeStamp.Format", `x-acs-date '${date}' is not ISO 8601`, 400);
  const maxSkewMs = (options.maxDateSkewSeconds ?? 900) * 1000;
  if (Math.abs(now - sent) > maxSkewMs) {
    throw denied("InvalidTimeStamp.Expired", `x-acs-date '${date}' is too far from the server time`);
  }
  const token = single(headers["x-acs-security-token"]);
  if (credential.securityToken !== undefined && !sameText(token ?? "", credential.securityToken)) {
    throw denied(
      "InvalidSecurityToken",
      `x-acs-security-token is ${token === undefined ? "missing" : "wrong"}`,
    );
  }
  const nonce = single(headers["x-acs-signature-nonce"]) ?? "";
  claimNonce(options, `${accessKeyId}\n${nonce}`, now, 2 * maxSkewMs);
  return credential;
}
