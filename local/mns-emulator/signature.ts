import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : (value ?? "");
}

/** Every `x-mns-*` header, lower-cased and sorted, each as `name:value\n`. */
export function canonicalizedMnsHeaders(headers: IncomingHttpHeaders): string {
  return Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => name.startsWith("x-mns-"))
    .sort()
    .map((name) => `${name}:${headerValue(headers, name)}\n`)
    .join("");
}

/**
 * VERB\nContent-MD5\nContent-Type\nDate\n + canonical x-mns headers + the resource exactly as sent
 * (path and query, undecoded: the SDK does not URL-encode receipt handles).
 */
export function stringToSign(method: string, headers: IncomingHttpHeaders, rawResource: string): string {
  return [
    method.toUpperCase(),
    headerValue(headers, "content-md5"),
    headerValue(headers, "content-type"),
    headerValue(headers, "date"),
    `${canonicalizedMnsHeaders(headers)}${rawResource}`,
  ].join("\n");
}

export function computeSignature(accessKeySecret: string, toSign: string): string {
  return createHmac("sha1", accessKeySecret).update(toSign, "utf8").digest("base64");
}

export function signaturesEqual(expected: string, provided: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(provided);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Content-MD5 forms accepted: base64 of the lower-case hex digest (what @alicloud/mns and the Python SDK
 * send) and the standard base64 of the raw 16-byte digest.
 */
export function contentMd5Matches(headerValueSent: string, body: Buffer): boolean {
  const digest = createHash("md5").update(body).digest();
  const hexForm = Buffer.from(digest.toString("hex"), "utf8").toString("base64");
  const rawForm = digest.toString("base64");
  return headerValueSent === hexForm || headerValueSent === rawForm;
}

/** MessageBodyMD5: upper-case hex MD5 of the body text as sent (no Base64 decoding). */
export function messageBodyMd5(body: string): string {
  return createHash("md5").update(body, "utf8").digest("hex").toUpperCase();
}
