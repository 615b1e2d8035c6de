/**
 * The FC invoke API in both versions:
 * - FC 3.0, as @alicloud/fc20230330 `invokeFunction` calls it: `POST /2023-03-30/functions/{function}/invocations
 *   [?qualifier=Q]`, signed with ACS3-HMAC-SHA256 (acs3-authenticate.ts);
 * - FC 2.0, as @alicloud/fc2 calls it (reference: mns-fc2.md §3.3–§3.4):
 *   `POST /2016-08-15/services/{service}[.{qualifier}]/functions/{function}/invocations`, signed with
 *   `FC <accessKeyID>:<signature>`.
 * Both are made async by `x-fc-invocation-type: Async`. Sync answers the handler's result (200) or FC's error body (also 200, with
 * `x-fc-error-type: UnhandledInvocationError`, fc3.md §4); async answers 202 at once and runs in the background.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { authenticateAcs3Request } from "./acs3-authenticate.ts";
import type { AsyncInvoker } from "./async-invoker.ts";
import { FcApiError, type FcApiVersion, sendFcApiError } from "./fc-api-error.ts";
import { authenticateFcRequest, type FcCredential } from "./fc-authenticate.ts";
import { encodeResult, type InvokeOutcome } from "./invoke.ts";
import { closeServer, listen } from "./listen.ts";

/** FC's payload limits (fc3.md §2, §6). */
export const SYNC_PAYLOAD_LIMIT = 32 * 1024 * 1024;
export const ASYNC_PAYLOAD_LIMIT = 128 * 1024;

export interface InvokeApiOptions {
  port?: number;
  host?: string;
  accountId: string;
  serviceName: string;
  functionName: string;
  credentials: readonly FcCredential[];
  maxDateSkewSeconds?: number;
  now?: () => number;
  run: (event: Buffer, requestId: string) => Promise<InvokeOutcome>;
  async: AsyncInvoker;
}

export interface InvokeApi {
  url: string;
  close(): Promise<void>;
}

const FC2_INVOKE_PATH = /^\/2016-08-15\/services\/([^/]+)\/functions\/([^/]+)\/invocations$/;
const FC3_INVOKE_PATH = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/;

function apiVersion(rawUrl: string): FcApiVersion {
  return rawUrl.startsWith("/2023-03-30/") ? "2023-03-30" : "2016-08-15";
}

async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  if (size > limit) {
    throw new FcApiError(400, "EntityTooLarge", `payload size exceeds maximum allowed size (${limit} bytes)`);
  }
  return Buffer.concat(chunks);
}

function decodedPath(rawUrl: string): string {
  const pathname = rawUrl.split("?")[0] ?? "/";
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

function invocationType(req: IncomingMessage): "sync" | "async" {
  const value = req.headers["x-fc-invocation-type"];
  const text = (Array.isArray(value) ? value[0] : value)?.trim().toLowerCase();
  if (text === undefined || text === "" || text === "sync") return "sync";
  if (text === "async") return "async";
  throw new FcApiError(400, "InvalidArgument", `x-fc-invocation-type must be Sync or Async; got '${value}'`);
}

function notSupported(req: IncomingMessage, path: string): FcApiError {
  return new FcApiError(400, "PathNotSupported", `'${req.method}' against '${path}' is not supported`);
}

function sendResult(res: ServerResponse, requestId: string, outcome: InvokeOutcome): void {
  if (outcome.ok) {
    const { body, contentType } = encodeResult(outcome.result);
    res.writeHead(200, {
      "content-type": contentType,
      "content-length": String(body.length),
      "x-fc-request-id": requestId,
    });
    res.end(body);
    return;
  }
  const body = Buffer.from(JSON.stringify(outcome.error));
  res.writeHead(200, {
    "content-type": "application/json",
    "content-length": String(body.length),
    "x-fc-request-id": requestId,
    "x-fc-error-type": "UnhandledInvocationError",
  });
  res.end(body);
}

export async function startInvokeApi(options: InvokeApiOptions): Promise<InvokeApi> {
  const credentials = new Map(options.credentials.map((c) => [c.accessKeyId, c]));

  const nonces = new Map<string, number>();

  /** Authenticates a 2016-08-15 request and returns the function it names. */
  const fc2Function = (req: IncomingMessage, path: string, body: Buffer): string => {
    const match = FC2_INVOKE_PATH.exec(path);
    if (match === null) throw notSupported(req, path);
    authenticateFcRequest(
      { method: "POST", path, headers: req.headers, body },
      {
        credentials,
        accountId: options.accountId,
        maxDateSkewSeconds: options.maxDateSkewSeconds,
        now: options.now,
      },
    );
    const [serviceName] = match[1]!.split(".", 1);
    if (serviceName !== options.serviceName) {
      throw new FcApiError(404, "ServiceNotFound", `service '${serviceName}' does not exist`);
    }
    return match[2]!;
  };

  /** Authenticates a 2023-03-30 request and returns the function it names. */
  const fc3Function = (req: IncomingMessage, path: string, body: Buffer): string => {
    const match = FC3_INVOKE_PATH.exec(path);
    if (match === null) throw notSupported(req, path);
    const url = new URL(req.url ?? "/", "http://localhost");
    authenticateAcs3Request(
      {
        method: "POST",
        rawPath: url.pathname,
        query: new Map(url.searchParams),
        headers: req.headers,
        body,
      },
      { credentials, maxDateSkewSeconds: options.maxDateSkewSeconds, now: options.now, nonces },
    );
    return match[1]!;
  };

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    version: FcApiVersion,
  ): Promise<void> => {
    const path = decodedPath(req.url ?? "/");
    const pattern = version === "2023-03-30" ? FC3_INVOKE_PATH : FC2_INVOKE_PATH;
    if (req.method !== "POST" || !pattern.test(path)) {
      req.resume();
      throw notSupported(req, path);
    }
    const type = invocationType(req);
    const body = await readLimited(req, type === "async" ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT);
    const functionName =
      version === "2023-03-30" ? fc3Function(req, path, body) : fc2Function(req, path, body);
    if (functionName !== options.functionName) {
      throw new FcApiError(404, "FunctionNotFound", `function '${functionName}' does not exist`);
    }
    if (type === "async") {
      options.async.submit(body, requestId);
      res.writeHead(202, { "content-length": "0", "x-fc-request-id": requestId });
      res.end();
      return;
    }
    sendResult(res, requestId, await options.run(body, requestId));
  };

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    const version = apiVersion(req.url ?? "/");
    handle(req, res, requestId, version).catch((err: unknown) => {
      const error =
        err instanceof FcApiError
          ? err
          : new FcApiError(500, "InternalServerError", `local FC host error: ${(err as Error).message}`);
      if (!res.headersSent) sendFcApiError(res, requestId, error, version);
      else res.destroy();
    });
  });
  const url = await listen(server, options.port ?? 0, options.host);
  return { url, close: () => closeServer(server) };
}
