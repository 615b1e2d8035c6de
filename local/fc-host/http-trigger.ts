/**
 * Turns a Node HTTP request into the FC 3.0 HTTP-trigger event, and the handler's answer back into a response,
 * the way the platform does (reference: fc3.md §2): multi-value headers joined by commas, binary bodies Base64.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface HttpTriggerEvent {
  version: "v1";
  rawPath: string;
  body: string;
  isBase64Encoded: boolean;
  headers: Record<string, string>;
  queryParameters: Record<string, string>;
  requestContext: {
    accountId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    time: string;
    timeEpoch: string;
  };
}

const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]*\+json|x-www-form-urlencoded|xml))/i;

function joinValues(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(",") : (value ?? "");
}

export function toHttpTriggerEvent(req: IncomingMessage, body: Buffer, now = new Date()): HttpTriggerEvent {
  const url = new URL(req.url ?? "/", "http://localhost");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = joinValues(value);
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(",");
  const contentType = headers["content-type"] ?? "";
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const requestId = randomUUID();
  return {
    version: "v1",
    rawPath: url.pathname,
    body: isText ? body.toString("utf8") : body.toString("base64"),
    isBase64Encoded: !isText,
    headers,
    queryParameters: query,
    requestContext: {
      accountId: "1234567890123456",
      domainName: headers.host ?? "localhost",
      domainPrefix: "local",
      http: {
        method: req.method ?? "GET",
        path: decodeURIComponent(url.pathname),
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId,
      time: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
      timeEpoch: String(now.getTime()),
    },
  };
}

interface HttpAnswer {
  statusCode?: unknown;
  headers?: unknown;
  body?: unknown;
  isBase64Encoded?: unknown;
}

export function writeHttpAnswer(res: ServerResponse, answer: unknown): void {
  const a = (typeof answer === "object" && answer !== null ? answer : {}) as HttpAnswer;
  const status = typeof a.statusCode === "number" ? a.statusCode : 200;
  const headers = (typeof a.headers === "object" && a.headers !== null ? a.headers : {}) as Record<
    string,
    string
  >;
  const body =
    typeof a.body === "string"
      ? Buffer.from(a.body, a.isBase64Encoded === true ? "base64" : "utf8")
      : Buffer.from(JSON.stringify(answer));
  res.writeHead(status, { ...headers, "content-length": String(body.length) });
  res.end(body);
}

export async function readBody(req: IncomingMessage, limit = 32 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("request body over the FC limit (32 MB)");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
