import { createHash, createHmac } from "node:crypto";
import { type ApiRequest, headerValue } from "./api-request.ts";
import {
  type AuthContext,
  checkSecurityToken,
  checkTimestamp,
  claimNonce,
  lookupCredential,
} from "./auth-checks.ts";
import { canonicalQueryV3, canonicalUri } from "./canonical.ts";
import { signatureError } from "./errors.ts";
import { safeEqual } from "./safe-equal.ts";

export const V3_ALGORITHM = "ACS3-HMAC-SHA256";

const AUTHORIZATION = /^(\S+) Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-fA-F]+)$/;

/** Headers the signature must cover, or a request could be altered or replayed without detection. */
const MUST_SIGN = [
  "host",
  "x-acs-action",
  "x-acs-version",
  "x-acs-date",
  "x-acs-signature-nonce",
  "x-acs-content-sha256",
];

export interface V3Identity {
  accessKeyId: string;
  action: string;
  version: string;
}

/**
 * Verifies an `Authorization: ACS3-HMAC-SHA256 …` request (OpenApiUtil.getAuthorization).
 * `query` is the percent-DECODED query; the canonical form is rebuilt from it.
 */
export function verifyV3(
  request: ApiRequest,
  query: Readonly<Record<string, string>>,
  context: AuthContext,
): V3Identity {
  const authorization = headerValue(request, "authorization") ?? "";
  const match = AUTHORIZATION.exec(authorization.trim());
  if (!match) {
    throw signatureError(
      "IncompleteSignature",
      "The Authorization header is malformed: expected `ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<a;b;c>,Signature=<hex>`.",
    );
  }
  const [, algorithm = "", accessKeyId = "", signedHeaderList = "", signature = ""] = match;
  if (algorithm !== V3_ALGORITHM) {
    throw signatureError(
      "UnsupportedSignatureAlgorithm",
      `Signature algorithm "${algorithm}" is not supported here: use ${V3_ALGORITHM}.`,
    );
  }
  const signedHeaders = signedHeaderList.split(";");
  for (const name of MUST_SIGN) {
    if (!signedHeaders.includes(name)) {
      throw signatureError("IncompleteSignature", `SignedHeaders must include the header "${name}".`);
    }
  }
  for (const name of signedHeaders) {
    if (headerValue(request, name) === undefined) {
      throw signatureError("IncompleteSignature", `Signed header "${name}" is not present in the request.`);
    }
  }
  const tokenHeader = headerValue(request, "x-acs-security-token");
  if (tokenHeader !== undefined && !signedHeaders.includes("x-acs-security-token")) {
    throw signatureError(
      "IncompleteSignature",
      'SignedHeaders must include "x-acs-security-token" when it is sent.',
    );
  }

  const credential = lookupCredential(context, accessKeyId);

  const payloadHash = createHash("sha256").update(request.body).digest("hex");
  const declaredHash = (headerValue(request, "x-acs-content-sha256") ?? "").toLowerCase();
  if (!safeEqual(payloadHash, declaredHash)) {
    throw signatureError(
      "InvalidContentSha256",
      `x-acs-content-sha256 "${declaredHash}" is not the hex SHA-256 of the request body (${payloadHash}).`,
    );
  }

  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(headerValue(request, name) ?? "").trim()}\n`)
    .join("");
  const canonicalRequest = [
    request.method,
    canonicalUri(request.pathname),
    canonicalQueryV3(query),
    canonicalHeaders,
    signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
  const stringToSign = `${V3_ALGORITHM}\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
  const expected = createHmac("sha256", credential.accessKeySecret).update(stringToSign).digest("hex");
  if (!safeEqual(expected, signature.toLowerCase())) {
    throw signatureError(
      "SignatureDoesNotMatch",
      `Specified signature is not matched with our calculation. server string to sign is:${stringToSign} canonical request is:${canonicalRequest}`,
    );
  }

  const date = headerValue(request, "x-acs-date") ?? "";
  const timestampMs = checkTimestamp(context, date, "x-acs-date");

  const declaredKeyId = headerValue(request, "x-acs-accesskey-id");
  if (declaredKeyId !== undefined && declaredKeyId !== accessKeyId) {
    throw signatureError(
      "IncompleteSignature",
      `x-acs-accesskey-id "${declaredKeyId}" differs from the Credential "${accessKeyId}" of the Authorization header.`,
    );
  }
  checkSecurityToken(credential, tokenHeader, "x-acs-security-token");

  claimNonce(context, accessKeyId, headerValue(request, "x-acs-signature-nonce") ?? "", timestampMs);

  return {
    accessKeyId,
    action: headerValue(request, "x-acs-action") ?? "",
    version: headerValue(request, "x-acs-version") ?? "",
  };
}
