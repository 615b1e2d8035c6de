import type { IncomingHttpHeaders } from "node:http";
import { MnsError } from "./errors.ts";
import { computeSignature, contentMd5Matches, signaturesEqual, stringToSign } from "./signature.ts";

export interface MnsCredential {
  accessKeyId: string;
  accessKeySecret: string;
  /** When set the key is treated as STS: requests must carry `security-token` equal to this. */
  securityToken?: string;
}

export interface SignedRequest {
  method: string;
  /** `req.url` as received: path plus query, not decoded. */
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface AuthenticationPolicy {
  credentials: readonly MnsCredential[];
  maxDateSkewSeconds: number;
  now: () => number;
}

const AUTHORIZATION = /^MNS ([^:\s]+):(\S+)$/;

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/**
 * Checks a request the way MNS does, throwing the MNS error a real service would answer with.
 * Order: Authorization shape, key, signature, date skew, STS token, Content-MD5.
 */
export function authenticate(request: SignedRequest, policy: AuthenticationPolicy): MnsCredential {
  const { headers } = request;
  const authorization = single(headers, "authorization");
  if (authorization === undefined) {
    throw new MnsError("MissingAuthorizationHeader", "The Authorization header is required.");
  }
  const match = AUTHORIZATION.exec(authorization);
  if (!match) {
    throw new MnsError(
      "InvalidAuthorizationHeader",
      'The Authorization header must look like "MNS <AccessKeyId>:<Signature>".',
    );
  }
  const [, accessKeyId = "", signature = ""] = match;
  const credential = policy.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!credential) {
    throw new MnsError("InvalidAccessKeyId", `The AccessKey Id you provided does not exist: ${accessKeyId}.`);
  }

  const dateHeader = single(headers, "date");
  if (dateHeader === undefined) throw new MnsError("MissingDateHeader", "The Date header is required.");

  const toSign = stringToSign(request.method, headers, request.rawUrl);
  if (!signaturesEqual(computeSignature(credential.accessKeySecret, toSign), signature)) {
    throw new MnsError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. " +
        `Check your key and signing method. String to sign: ${JSON.stringify(toSign)}`,
    );
  }

  // x-mns-date, when present, replaces Date for the freshness check (it is signed as well).
  const effectiveDate = single(headers, "x-mns-date") ?? dateHeader;
  const sentAt = Date.parse(effectiveDate);
  if (Number.isNaN(sentAt)) {
    throw new MnsError("InvalidDateHeader", `The date header is not a valid HTTP date: ${effectiveDate}.`);
  }
  const skewSeconds = Math.abs(policy.now() - sentAt) / 1000;
  if (skewSeconds > policy.maxDateSkewSeconds) {
    throw new MnsError(
      "TimeExpired",
      `The request date ${effectiveDate} is ${Math.round(skewSeconds)} s away from the server time; ` +
        `at most ${policy.maxDateSkewSeconds} s is allowed.`,
    );
  }

  if (credential.securityToken !== undefined) {
    const token = single(headers, "security-token");
    if (token === undefined) {
      throw new MnsError(
        "AccessDenied",
        `AccessKeyId ${accessKeyId} is an STS key: the security-token header is required.`,
      );
    }
    if (token !== credential.securityToken) {
      throw new MnsError(
        "AccessDenied",
        `The security-token header does not match the STS token of ${accessKeyId}.`,
      );
    }
  }

  const contentMd5 = single(headers, "content-md5");
  if (contentMd5 !== undefined && !contentMd5Matches(contentMd5, request.body)) {
    throw new MnsError("InvalidDegist", "The Content-MD5 you specified is invalid.");
  }

  const version = single(headers, "x-mns-version");
  if (version !== "2015-06-06") {
    throw new MnsError(
      "InvalidArgument",
      `The x-mns-version header must be 2015-06-06; got ${version ?? "none"}.`,
    );
  }
  return credential;
}
