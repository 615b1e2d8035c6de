import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ADMIN_PREFIX, handleAdmin } from "./admin.ts";
import { authenticate, type MnsCredential } from "./authenticate.ts";
import { invalidArgument, MnsError } from "./errors.ts";
import { newRequestId } from "./ids.ts";
import { handleMnsApi, type MnsApiResponse } from "./mns-api.ts";
import { errorDocument } from "./responses.ts";
import { MnsState, type QueueConfig, type SubscriptionConfig, type TopicConfig } from "./state.ts";

export type { MnsCredential } from "./authenticate.ts";
export { MNS_OPERATIONS, type MnsOperation } from "./failures.ts";
export type { QueueMessageSnapshot } from "./queue.ts";
export {
  MnsState,
  type QueueConfig,
  type SubscriptionConfig,
  type TopicConfig,
  type TopicMessageRecord,
} from "./state.ts";

export interface MnsEmulatorOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default "1234567890123456". */
  accountId?: string;
  /** Default one key: LTAI_local_demo / local-demo-secret. */
  credentials?: MnsCredential[];
  /** Also takes delaySeconds, messageRetentionPeriodSeconds, loggingEnabled. */
  queues?: QueueConfig[];
  topics?: TopicConfig[];
  /** A topic pushes each published message to its subscribed queues (only those whose filterTag matches, when set). */
  subscriptions?: SubscriptionConfig[];
  /** Default 900 (15 minutes, as documented). */
  maxDateSkewSeconds?: number;
}

export interface MnsEmulator {
  /** http://127.0.0.1:PORT: what @alicloud/mns takes as `endpoint`. */
  url: string;
  accountId: string;
  state: MnsState;
  close(): Promise<void>;
}

export const DEFAULT_CREDENTIAL: MnsCredential = {
  accessKeyId: "LTAI_local_demo",
  accessKeySecret: "local-demo-secret",
};

/** Requests above this are refused before parsing (a batch holds at most 64 KB of bodies plus XML). */
const MAX_REQUEST_BYTES = 1024 * 1024;
const XML_CONTENT_TYPE = "text/xml;charset=utf-8";

interface RequestBody {
  bytes: Buffer;
  tooLarge: boolean;
}

async function readBody(req: IncomingMessage): Promise<RequestBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= MAX_REQUEST_BYTES) chunks.push(buffer);
  }
  return { bytes: Buffer.concat(chunks), tooLarge: size > MAX_REQUEST_BYTES };
}

function baseUrlOf(req: IncomingMessage, fallback: string): string {
  return req.headers.host ? `http://${req.headers.host}` : fallback;
}

function sendMns(res: ServerResponse, requestId: string, answer: MnsApiResponse): void {
  const headers: Record<string, string> = {
    "x-mns-request-id": requestId,
    "x-mns-version": "2015-06-06",
    ...answer.headers,
  };
  if (answer.body !== undefined) headers["content-type"] = XML_CONTENT_TYPE;
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

function sendJson(res: ServerResponse, status: number, json: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(json === undefined ? undefined : JSON.stringify(json));
}

/** Starts the emulator on 127.0.0.1 (by default on an ephemeral port). */
export async function startMnsEmulator(options: MnsEmulatorOptions = {}): Promise<MnsEmulator> {
  const accountId = options.accountId ?? "1234567890123456";
  const credentials = options.credentials ?? [DEFAULT_CREDENTIAL];
  const maxDateSkewSeconds = options.maxDateSkewSeconds ?? 900;
  const state = new MnsState({
    queues: options.queues ?? [],
    topics: options.topics ?? [],
    subscriptions: options.subscriptions ?? [],
  });
  let url = "";

  async function handleMnsRequest(
    req: IncomingMessage,
    res: ServerResponse,
    body: RequestBody,
  ): Promise<void> {
    const requestId = newRequestId();
    const baseUrl = baseUrlOf(req, url);
    const aborted = new AbortController();
    res.on("close", () => aborted.abort());
    try {
      if (body.tooLarge) throw invalidArgument(`The request body is larger than ${MAX_REQUEST_BYTES} bytes.`);
      const rawUrl = req.url ?? "/";
      const method = req.method ?? "GET";
      authenticate(
        { method, rawUrl, headers: req.headers, body: body.bytes },
        { credentials, maxDateSkewSeconds, now: () => state.now() },
      );
      const answer = await handleMnsApi(state, {
        method,
        rawUrl,
        body: body.bytes,
        baseUrl,
        signal: aborted.signal,
      });
      sendMns(res, requestId, answer);
    } catch (caught) {
      const error =
        caught instanceof MnsError
          ? caught
          : new MnsError(
              "InternalError",
              `Emulator bug: ${caught instanceof Error ? caught.message : String(caught)}`,
            );
      if (!(caught instanceof MnsError)) console.error("[mns-emulator] unexpected error", caught);
      sendMns(res, requestId, { status: error.status, body: errorDocument(error, requestId, baseUrl) });
    }
  }

  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        if ((req.url ?? "").startsWith(ADMIN_PREFIX)) {
          const answer = handleAdmin(state, req.method ?? "GET", req.url ?? "", body.bytes);
          sendJson(res, answer.status, answer.json);
          return;
        }
        return handleMnsRequest(req, res, body);
      })
      .catch((error: unknown) => {
        console.error("[mns-emulator] request failed", error);
        if (!res.headersSent)
          sendJson(res, 500, { error: { code: "InternalError", message: String(error) } });
        else res.destroy();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  url = `http://${hostForUrl}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    accountId,
    state,
    // Idempotent: a test may close the emulator itself and again in afterEach.
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        // End long polls first so they answer MessageNotExist instead of holding the close open.
        state.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      })),
  };
}
