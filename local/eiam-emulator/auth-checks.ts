import type { EmulatorCredential } from "./credentials.ts";
import { ApiError, signatureError } from "./errors.ts";
import type { NonceCache } from "./nonce-cache.ts";
import { safeEqual } from "./safe-equal.ts";

export interface AuthContext {
  credentials: ReadonlyMap<string, EmulatorCredential>;
  nonces: NonceCache;
  maxDateSkewSeconds: number;
  now: () => number;
}

export function lookupCredential(context: AuthContext, accessKeyId: string): EmulatorCredential {
  const credential = context.credentials.get(accessKeyId);
  if (!credential)
    throw new ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
  return credential;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

/** Returns the timestamp in epoch milliseconds once it is well-formed and within the allowed skew. */
export function checkTimestamp(context: AuthContext, value: string, name: string): number {
  const time = Date.parse(value);
  if (!TIMESTAMP.test(value) || Number.isNaN(time)) {
    throw signatureError(
      "InvalidTimeStamp.Format",
      `Specified ${name} "${value}" is not valid: use UTC yyyy-MM-ddTHH:mm:ssZ.`,
    );
  }
  const skewMs = Math.abs(context.now() - time);
  if (skewMs > context.maxDateSkewSeconds * 1000) {
    throw signatureError(
      "IllegalTimestamp",
      `Specified ${name} "${value}" is out of the allowed range: it must be within ${context.maxDateSkewSeconds} seconds of the server time ${new Date(context.now()).toISOString()}.`,
    );
  }
  return time;
}

/** An STS key needs its exact token; a permanent key must come without one. */
export function checkSecurityToken(
  credential: EmulatorCredential,
  token: string | undefined,
  name: string,
): void {
  if (credential.securityToken === undefined) {
    if (token !== undefined) {
      throw signatureError(
        "InvalidSecurityToken.MismatchWithAccessKey",
        `${name} was sent, but access key ${credential.accessKeyId} is a permanent key that takes no security token.`,
      );
    }
    return;
  }
  if (token === undefined) {
    throw signatureError(
      "MissingSecurityToken",
      `Access key ${credential.accessKeyId} is an STS key: the request must carry its security token in ${name}.`,
    );
  }
  if (!safeEqual(credential.securityToken, token)) {
    throw signatureError(
      "InvalidSecurityToken.MismatchWithAccessKey",
      `${name} does not match access key ${credential.accessKeyId}.`,
    );
  }
}

/** A nonce is remembered for as long as its timestamp could still be accepted. */
export function claimNonce(
  context: AuthContext,
  accessKeyId: string,
  nonce: string,
  timestampMs: number,
): void {
  const now = context.now();
  const expiresAt = Math.max(now, timestampMs) + context.maxDateSkewSeconds * 1000;
  if (!context.nonces.claim(accessKeyId, nonce, expiresAt, now)) {
    throw signatureError("SignatureNonceUsed", `Specified signature nonce "${nonce}" was used already.`);
  }
}
