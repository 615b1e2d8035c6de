/** Checks an FC API request like the platform: signature, key, STS token, date skew, Content-MD5, account. */
import type { IncomingHttpHeaders } from "node:http";
import { FcApiError } from "./fc-api-error.ts";
import {
  contentMd5Matches,
  fcSignature,
  fcStringToSign,
  parseFcAuthorization,
  sameText,
} from "./fc-signature.ts";

export interface FcCredential {
  accessKeyId: string;
  accessKeySecret: string;
  /** Set for an STS key: requests must carry it in `x-fc-security-token` (which is signed). */
  securityToken?: string;
}

export interface FcAuthOptions {
  credentials: ReadonlyMap<string, FcCredential>;
  accountId: string;
  /** Default 900 (±15 minutes). */
  maxDateSkewSeconds?: number;
  now?: () => number;
}

export interface SignedRequest {
  method: string;
  /** The decoded path without the query string, as the SDK signs it. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function authenticateFcRequest(request: SignedRequest, options: FcAuthOptions): FcCredential {
  const { headers } = request;
  const authorization = single(headers.authorization);
  if (!authorization) {
    throw new FcApiError(
      400,
      "MissingRequiredHeader",
      "required HTTP header Authorization was not specified",
    );
  }
  const date = single(headers.date);
  if (!date)
    throw new FcApiError(400, "MissingRequiredHeader", "required HTTP header Date was not specified");
  const parsed = parseFcAuthorization(authorization);
  if (parsed === undefined) {
    throw new FcApiError(400, "InvalidArgument", "Authorization must be 'FC <accessKeyID>:<signature>'");
  }
  const credential = options.credentials.get(parsed.accessKeyId);
  if (credential === undefined) {
    throw new FcApiError(403, "InvalidAccessKeyID", `invalid access key ID '${parsed.accessKeyId}'`);
  }
  const stringToSign = fcStringToSign(request.method, request.path, headers);
  if (!sameText(fcSignature(credential.accessKeySecret, stringToSign), parsed.signature)) {
    throw new FcApiError(
      403,
      "SignatureNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your access key " +
        `and signing method. The string to sign was ${JSON.stringify(stringToSign)}`,
    );
  }
  if (credential.securityToken !== undefined) {
    const token = single(headers["x-fc-security-token"]);
    if (token === undefined || !sameText(token, credential.securityToken)) {
      throw new FcApiError(
        403,
        "InvalidSecurityToken",
        `the x-fc-security-token header is ${token === undefined ? "missing" : "wrong"} for STS key '${credential.accessKeyId}'`,
      );
    }
  }
  const sent = Date.parse(date);
  if (Number.isNaN(sent)) {
    throw new FcApiError(400, "InvalidArgument", `Date '${date}' is not an HTTP date (RFC 7231)`);
  }
  const skewSeconds = Math.abs((options.now ?? Date.now)() - sent) / 1000;
  const maxSkew = options.maxDateSkewSeconds ?? 900;
  if (skewSeconds > maxSkew) {
    throw new FcApiError(
      403,
      "RequestTimeTooSkewed",
      `the request date '${date}' is ${Math.round(skewSeconds)} s away from the server time (at most ${maxSkew} s)`,
    );
  }
  const contentMd5 = single(headers["content-md5"]);
  if (contentMd5 !== undefined && !contentMd5Matches(contentMd5, request.body)) {
    throw new FcApiError(400, "InvalidArgument", "Content-MD5 does not match the request body");
  }
  const accountId = single(headers["x-fc-account-id"]);
  if (accountId !== undefined && accountId !== options.accountId) {
    throw new FcApiError(403, "AccessDenied", `account '${accountId}' does not own this function`);
  }
  return credential;
}
