import { createHmac } from "node:crypto";
import type { ApiRequest } from "./api-request.ts";
import {
  type AuthContext,
  checkSecurityToken,
  checkTimestamp,
  claimNonce,
  lookupCredential,
} from "./auth-checks.ts";
import { canonicalQueryV1, percentEncode } from "./canonical.ts";
import { missingParameter, signatureError } from "./errors.ts";
import { safeEqual } from "./safe-equal.ts";

export const V1_METHOD = "HMAC-SHA1";

/** Common V1 parameters: they are signed but are not business parameters. */
export const V1_COMMON_PARAMETERS = new Set([
  "Action",
  "Version",
  "Format",
  "Timestamp",
  "SignatureNonce",
  "SignatureMethod",
  "SignatureVersion",
  "AccessKeyId",
  "Signature",
  "SecurityToken",
]);

export interface V1Identity {
  accessKeyId: string;
  action: string;
  version: string;
}

/** Verifies a V1 RPC request (OpenApiUtil.getRPCSignature): every parameter but Signature is signed. */
export function verifyV1(
  request: ApiRequest,
  params: Readonly<Record<string, string>>,
  context: AuthContext,
): V1Identity {
  const required = (name: string): string => {
    const value = params[name];
    if (value === undefined || value === "") throw missingParameter(name);
    return value;
  };
  const action = required("Action");
  const version = required("Version");
  const accessKeyId = required("AccessKeyId");
  const signature = required("Signature");
  const method = required("SignatureMethod");
  const nonce = required("SignatureNonce");
  const timestamp = required("Timestamp");
  if (method !== V1_METHOD) {
    throw signatureError(
      "UnsupportedSignatureMethod",
      `SignatureMethod "${method}" is not supported here: use ${V1_METHOD}.`,
    );
  }
  const signatureVersion = params.SignatureVersion;
  if (signatureVersion !== undefined && signatureVersion !== "1.0") {
    throw signatureError(
      "UnsupportedSignatureVersion",
      `SignatureVersion "${signatureVersion}" is not supported: use 1.0.`,
    );
  }

  const credential = lookupCredential(context, accessKeyId);

  const signed: Record<string, string> = { ...params };
  delete signed.Signature;
  const stringToSign = `${request.method}&${percentEncode("/")}&${percentEncode(canonicalQueryV1(signed))}`;
  const expected = createHmac("sha1", `${credential.accessKeySecret}&`).update(stringToSign).digest("base64");
  if (!safeEqual(expected, signature)) {
    throw signatureError(
      "SignatureDoesNotMatch",
      `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
    );
  }

  const timestampMs = checkTimestamp(context, timestamp, "Timestamp");
  checkSecurityToken(credential, params.SecurityToken, "SecurityToken");
  claimNonce(context, accessKeyId, nonce, timestampMs);
  return { accessKeyId, action, version };
}
