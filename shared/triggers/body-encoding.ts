import { createHash } from "node:crypto";
import type { BodyEncoding } from "./delivery.ts";

const BASE64_ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Canonical Base64: standard alphabet, padded, and re-encoding the decoded bytes gives the same text. */
export function isCanonicalBase64(text: string): boolean {
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64_ALPHABET.test(text)) return false;
  return Buffer.from(text, "base64").toString("base64") === text;
}

/** The `auto` rule: Base64 of a UTF-8 JSON document (starting with `{` or `[`); `undefined` when it is not. */
function decodeBase64Json(text: string): Buffer | undefined {
  if (!isCanonicalBase64(text)) return undefined;
  const bytes = Buffer.from(text, "base64");
  let decoded: string;
  try {
    decoded = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  const first = decoded.replace(/^\uFEFF/, "").trimStart()[0];
  return first === "{" || first === "[" ? bytes : undefined;
}

export class BodyEncodingMismatch extends Error {}

/**
 * Turn a message body string into bytes according to the configured encoding.
 * Throws `BodyEncodingMismatch` when `base64` is forced and the text is not canonical Base64.
 */
export function decodeBodyString(text: string, encoding: BodyEncoding): Buffer {
  if (encoding === "text") return Buffer.from(text, "utf8");
  if (encoding === "base64") {
    if (!isCanonicalBase64(text)) throw new BodyEncodingMismatch("is not canonical Base64");
    return Buffer.from(text, "base64");
  }
  return decodeBase64Json(text) ?? Buffer.from(text, "utf8");
}

/** Only the `auto` rule, for a whole invocation that is not JSON itself (see detect.ts). */
export function decodeBase64JsonIfAllowed(text: string, encoding: BodyEncoding): Buffer | undefined {
  return encoding === "text" ? undefined : decodeBase64Json(text.trim());
}

/** `sha256:<hex>`: the delivery id of a message that carries no id of its own. */
export function sha256Id(body: Buffer): string {
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}
