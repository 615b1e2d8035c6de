/**
 * The FC 2016-08-15 API signature as @alicloud/fc2 computes it (reference: mns-fc2.md §3.4):
 * `Authorization: FC <accessKeyID>:base64(hmac-sha256(secret, METHOD\ncontent-md5\ncontent-type\ndate\n
 * + sorted "x-fc-*:value\n" headers + path))`, the path unencoded and without the query string.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(",") : (value ?? "");
}

export function canonicalFcHeaders(headers: IncomingHttpHeaders): string {
  return Object.keys(headers)
    .map((name) => name.toLowerCase().trim())
    .filter((name) => name.startsWith("x-fc-"))
    .sort()
    .map((name) => `${name}:${headerText(headers[name])}\n`)
    .join("");
}

export function fcStringToSign(method: string, path: string, headers: IncomingHttpHeaders): string {
  return [
    method.toUpperCase(),
    headerText(headers["content-md5"]),
    headerText(headers["content-type"]),
    headerText(headers.date),
    `${canonicalFcHeaders(headers)}${path}`,
  ].join("\n");
}

export function fcSignature(accessKeySecret: string, stringToSign: string): string {
  return createHmac("sha256", accessKeySecret).update(stringToSign, "utf8").digest("base64");
}

export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `FC <accessKeyID>:<signature>`, or undefined when the header has another shape. */
export function parseFcAuthorization(value: string): { accessKeyId: string; signature: string } | undefined {
  const match = /^FC ([^:\s]+):(\S+)$/.exec(value.trim());
  return match ? { accessKeyId: match[1]!, signature: match[2]! } : undefined;
}

/** The SDK sends base64 of the hex MD5 (a quirk); the standard base64 of the raw digest is accepted too. */
export function contentMd5Matches(header: string, body: Buffer): boolean {
  const digest = createHash("md5").update(body);
  const raw = digest.digest();
  const forms = [Buffer.from(raw.toString("hex")).toString("base64"), raw.toString("base64")];
  return forms.some((form) => sameText(form, header.trim()));
}
