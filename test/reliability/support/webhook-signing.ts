/** Signing webhook deliveries the way honest senders do, so the attacks can start from a valid one. */
import { createHmac, randomBytes } from "node:crypto";

export function newWhsecSecret(bytes = 32): string {
  return `whsec_${randomBytes(bytes).toString("base64")}`;
}

/** Standard Webhooks v1: base64 HMAC-SHA256 over `${id}.${timestamp}.${body}` with the decoded whsec key. */
export function standardSignature(
  secret: string,
  id: string,
  timestamp: string,
  body: Buffer | string,
): string {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  return createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64");
}

export function standardHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: Buffer | string,
): Record<string, string> {
  const timestamp = String(timestampSeconds);
  return {
    "webhook-id": id,
    "webhook-timestamp": timestamp,
    "webhook-signature": `v1,${standardSignature(secret, id, timestamp, body)}`,
  };
}

/** The hmac-sha256 scheme with a timestamp header: hex HMAC-SHA256 over `${timestamp}.${body}` (UTF-8 key). */
export function hmacSignature(secret: string, timestamp: string | undefined, body: Buffer | string): string {
  const hmac = createHmac("sha256", Buffer.from(secret, "utf8"));
  if (timestamp !== undefined) hmac.update(`${timestamp}.`);
  return hmac.update(body).digest("hex");
}

export function nowSeconds(nowMs: number): number {
  return Math.floor(nowMs / 1000);
}
