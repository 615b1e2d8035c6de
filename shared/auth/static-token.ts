/**
 * Schemes that compare a static `Authorization` header with configured values (several during a rotation):
 * - `bearer`: `Authorization: Bearer <token>` (SCIM clients such as Entra ID and Okta, Rippling);
 * - `basic`: `Authorization: Basic base64(user:password)` (Workday integrations);
 * - `okta-event-hook`: the exact header value Okta is configured to send, plus Okta's one-time GET verification.
 * Values are compared as SHA-256 digests in constant time, so neither timing nor length shows how close one was.
 */
import { createHash } from "node:crypto";
import { type Authenticator, type DoorRequest, pass, reject, type Verdict } from "./authenticator.ts";
import { anyPairEqual } from "./signature-match.ts";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

function matchesAny(value: string, allowed: readonly Buffer[]): boolean {
  return anyPairEqual([digest(value)], allowed);
}

/** `Bearer <token>` / `Basic <credentials>`: the scheme word is case-insensitive (RFC 9110 §11.1). */
function credentialsAfter(request: DoorRequest, word: string): string | undefined {
  const value = request.headers.authorization?.trim();
  if (value === undefined || value.length <= word.length + 1) return undefined;
  if (value.slice(0, word.length).toLowerCase() !== word.toLowerCase() || value[word.length] !== " ")
    return undefined;
  return value.slice(word.length + 1).trim();
}

export function bearerAuthenticator(tokens: readonly string[]): Authenticator {
  const allowed = tokens.map(digest);
  return {
    scheme: "bearer",
    check(request) {
      const token = credentialsAfter(request, "Bearer");
      if (!token) return reject("missing_credentials");
      return matchesAny(token, allowed) ? pass() : reject("credentials_mismatch");
    },
  };
}

/** `credentials` are `user:password` pairs; the header's base64 is decoded and compared as that text. */
export function basicAuthenticator(credentials: readonly string[]): Authenticator {
  const allowed = credentials.map(digest);
  return {
    scheme: "basic",
    check(request) {
      const encoded = credentialsAfter(request, "Basic");
      if (!encoded) return reject("missing_credentials");
      const decoded = Buffer.from(encoded, "base64").toString("utf8");
      return matchesAny(decoded, allowed) ? pass() : reject("credentials_mismatch");
    },
  };
}

/** What Okta's verification challenge may be: it is echoed, so nothing else is. */
const OKTA_CHALLENGE = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * Okta event hooks. The one-time GET carrying `X-Okta-Verification-Challenge` is answered
 * `{"verification": <header>}`; whether Okta sends the Authorization header with it is UNCONFIRMED, so the
 * challenge is answered without it (it only echoes what the caller sent). Every POST must carry one of the
 * configured `Authorization` values exactly.
 */
export function oktaEventHookAuthenticator(values: readonly string[]): Authenticator {
  const allowed = values.map(digest);
  return {
    scheme: "okta-event-hook",
    check(request): Verdict {
      if (request.method === "GET") {
        const challenge = request.headers["x-okta-verification-challenge"]?.trim() ?? "";
        if (!OKTA_CHALLENGE.test(challenge)) return reject("missing_challenge");
        return { kind: "answer", status: 200, body: { verification: challenge } };
      }
      const value = request.headers.authorization?.trim();
      if (!value) return reject("missing_credentials");
      return matchesAny(value, allowed) ? pass() : reject("credentials_mismatch");
    },
  };
}
