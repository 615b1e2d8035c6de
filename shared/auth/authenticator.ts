/**
 * What every route authentication scheme implements (shared/door/ calls it): a pure check of one HTTP request
 * on its raw bytes. A scheme may also answer a sender's handshake itself (Feishu's challenge, Okta's
 * verification, HiBob's ping) and may hand back a decrypted body (Feishu with an Encrypt Key).
 */
import type { HeaderMap } from "./types.ts";

export interface DoorRequest {
  /** Upper-case. */
  method: string;
  /** As FC decoded it, e.g. `/scim/v2/Users/u1`. */
  path: string;
  /** Lower-cased names. */
  headers: HeaderMap;
  body: Buffer;
}

export type Verdict =
  /** Authentic. `body` replaces the request body (decrypted); `deliveryId` names the delivery (a signed id header). */
  | { kind: "pass"; body?: Buffer; deliveryId?: string }
  /** A handshake, answered here and now; nothing is applied. */
  | { kind: "answer"; status: number; body: unknown }
  /** Refused with 401 and this reason code, nothing more. */
  | { kind: "reject"; reason: string };

export interface Authenticator {
  /** The scheme's name, for logs. */
  readonly scheme: string;
  check(request: DoorRequest, nowMs: number): Verdict;
}

export const reject = (reason: string): Verdict => ({ kind: "reject", reason });
export const pass = (extra: { body?: Buffer; deliveryId?: string } = {}): Verdict => ({
  kind: "pass",
  ...extra,
});
