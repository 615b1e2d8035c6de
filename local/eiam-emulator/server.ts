import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { runAction } from "./actions.ts";
import { ADMIN_PREFIX, handleAdminRequest } from "./admin.ts";
import type { ApiRequest } from "./api-request.ts";
import { authenticate, describeUnverified } from "./auth.ts";
import type { AuthContext } from "./auth-checks.ts";
import { DEFAULT_CREDENTIALS, type EmulatorCredential } from "./credentials.ts";
import type { CustomFieldDefinition } from "./custom-fields.ts";
import { ApiError, errorBody, newRequestId } from "./errors.ts";
import type { FaultDecision } from "./faults.ts";
import { NonceCache } from "./nonce-cache.ts";
import type { SeedOrganizationalUnit } from "./organizational-units.ts";
import { formatLogLine, type RequestLogEntry } from "./request-log.ts";
import { V1_COMMON_PARAMETERS } from "./signature-v1.ts";
import { EmulatorState, type SeedUser } from "./state.ts";

export type { EmulatorCredential } from "./credentials.ts";
export type { CustomFieldDefinition } from "./custom-fields.ts";
export type { FailNextEntry, FaultKind, FaultSettings } from "./faults.ts";
export type { EmulatorOrganizationalUnit, SeedOrganizationalUnit } from "./organizational-units.ts";
export type { RequestLogEntry } from "./request-log.ts";
export type { EmulatorState, SeedUser } from "./state.ts";
export type { EmulatorUser } from "./users.ts";

export interface EiamEmulatorOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default ["idaas_local_demo"]; any other InstanceId answers EntityNotExists.Instance (404). */
  instanceIds?: string[];
  /** Default [{accessKeyId: "LTAI_local_demo", accessKeySecret: "local-demo-secret"}]. */
  credentials?: EmulatorCredential[];
  users?: SeedUser[];
  customFields?: CustomFieldDefinition[];
  /** Organizational units besides each instance's root (parents before children). */
  organizationalUnits?: SeedOrganizationalUnit[];
  /** Default 900. */
  maxDateSkewSeconds?: number;
  /** When set, called with one line per API request. */
  log?: (line: string) => void;
  /** Clock (epoch ms) for date-skew checks, the QPS window and user timestamps; default Date.now. */
  now?: () => number;
}

export interface EiamEmulator {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** "127.0.0.1:PORT": the client's config.endpoint (with protocol "http"). */
  endpoint: string;
  state: EmulatorState;
  close(): Promise<void>;
}

export const DEFAULT_INSTANCE_ID = "idaas_local_demo";
const MAX_BODY_BYTES = 1024 * 1024;
const JSON_CONTENT_TYPE = "application/json;charset=utf-8";

export async function startEiamEmulator(options: EiamEmulatorOptions = {}): Promise<EiamEmulator> {
  const now = options.now ?? Date.now;
  const state = new EmulatorState({
    instanceIds: options.instanceIds ?? [DEFAULT_INSTANCE_ID],
    users: options.users ?? [],
    customFields: options.customFields ?? [],
    organizationalUnits: options.organizationalUnits ?? [],
    now,
  });
  const credentials = new Map(
    (options.credentials ?? DEFAULT_CREDENTIALS).map((c) => [c.accessKeyId, { ...c }]),
  );
  const auth: AuthContext = {
    credentials,
    nonces: new NonceCache(),
    maxDateSkewSeconds: options.maxDateSkewSeconds ?? 900,
    now,
  };
  /** Releases requests held by the `timeout` fault (on close, or when the client gives up). */
  const heldRequests = new Set<() => void>();
  const connectionIds = new WeakMap<Socket, number>();
  let connectionCount = 0;

  const record = (entry: RequestLogEntry): void => {
    state.requestLog.push(entry);
    options.log?.(formatLogLine(entry));
  };

  const handleApi = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Buffer,
  ): Promise<void> => {
    const startedAt = performance.now();
    const requestId = newRequestId();
    const request: ApiRequest = {
      method: req.method ?? "POST",
      pathname: url.pathname,
      query: [...url.searchParams],
      headers: req.headers,
      body,
    };
    const hint = describeUnverified(request);
    const entry: RequestLogEntry = {
      time: new Date(now()).toISOString(),
      requestId,
      action: hint.action ?? "",
      params: Object.fromEntries(request.query.filter(([key]) => !V1_COMMON_PARAMETERS.has(key))),
      status: 0,
      ...(hint.accessKeyId !== undefined ? { accessKeyId: hint.accessKeyId } : {}),
      connection: connectionIds.get(req.socket) ?? 0,
      durationMs: 0,
    };
    const finish = (status: number, code?: string): void => {
      entry.status = status;
      if (code !== undefined) entry.code = code;
      entry.durationMs = Math.round(performance.now() - startedAt);
      record(entry);
    };
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      const text = JSON.stringify(payload);
      res.writeHead(status, {
        "content-type": JSON_CONTENT_TYPE,
        "content-length": String(Buffer.byteLength(text)),
        "x-acs-request-id": requestId,
        ...headers,
      });
      res.end(text);
    };
    const dropConnection = (): void => {
      req.socket.destroy();
    };

    try {
      if (url.pathname !== "/") {
        throw new ApiError(
          404,
          "InvalidAction.NotFound",
          `Specified api is not found: RPC calls go to "/", not "${url.pathname}".`,
        );
      }
      const call = authenticate(request, auth);
      entry.action = call.action;
      entry.accessKeyId = call.accessKeyId;
      entry.signatureMethod = call.signatureMethod;
      entry.params = call.params;

      const fault: FaultDecision | undefined = state.faultController.decide(now());
      const { latencyMs, timeoutHoldMs, retryAfterMs } = state.faults;
      if (latencyMs > 0) await sleep(latencyMs);
      if (fault && fault.kind !== "pass") {
        entry.fault = fault.kind;
        entry.faultReason = fault.reason;
        switch (fault.kind) {
          case "5xx":
            throw new ApiError(
              503,
              "ServiceUnavailable",
              "The request has failed due to a temporary failure of the server.",
            );
          case "throttle":
            throw new ApiError(400, "Throttling.User", "Request was denied due to user flow control.", {
              "x-acs-retry-after": String(retryAfterMs),
            });
          case "timeout":
            finish(0);
            await holdUntilReleased(res, timeoutHoldMs, heldRequests);
            entry.durationMs = Math.round(performance.now() - startedAt);
            dropConnection();
            return;
          case "drop":
            finish(0);
            dropConnection();
            return;
          case "drop-after-apply":
          case "timeout-after-apply":
            try {
              runAction(call.action, call.version, call.params, state);
            } catch (error) {
              if (error instanceof ApiError) entry.code = error.code;
              else throw error;
            }
            finish(0, entry.code);
            if (fault.kind === "timeout-after-apply")
              await holdUntilReleased(res, timeoutHoldMs, heldRequests);
            dropConnection();
            return;
        }
      }
      const result = runAction(call.action, call.version, call.params, state);
      finish(200);
      send(200, { RequestId: requestId, ...result });
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : new ApiError(
              500,
              "InternalError",
              `The emulator failed: ${error instanceof Error ? error.message : String(error)}`,
            );
      finish(apiError.status, apiError.code);
      send(apiError.status, errorBody(apiError, requestId, hostId(req)), { ...apiError.headers });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const body = await readBody(req);
    if (body === undefined) {
      res.writeHead(413, { "content-type": JSON_CONTENT_TYPE, connection: "close" });
      res.end(JSON.stringify({ error: `request body larger than ${MAX_BODY_BYTES} bytes` }));
      return;
    }
    if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
      const answer = handleAdminRequest(req.method ?? "GET", url.pathname, body, state);
      if (answer.body === undefined) {
        res.writeHead(answer.status);
        res.end();
        return;
      }
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        "content-type": JSON_CONTENT_TYPE,
        "content-length": String(Buffer.byteLength(text)),
      });
      res.end(text);
      return;
    }
    await handleApi(req, res, url, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": JSON_CONTENT_TYPE });
        res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
      } else {
        res.destroy();
      }
    });
  });
  // The client keeps sockets alive indefinitely; a long server timeout avoids racing it on idle close.
  server.keepAliveTimeout = 65_000;
  server.on("connection", (socket: Socket) => {
    connectionCount += 1;
    connectionIds.set(socket, connectionCount);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const displayHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const endpoint = `${displayHost}:${address.port}`;

  return {
    url: `http://${endpoint}`,
    endpoint,
    state,
    close: async () => {
      for (const release of [...heldRequests]) release();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function hostId(req: IncomingMessage): string {
  return req.headers.host ?? "eiam.local";
}

/** Resolves with the body, or undefined when it is larger than MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Waits `holdMs`, or less if the client hangs up or the emulator closes. */
function holdUntilReleased(res: ServerResponse, holdMs: number, held: Set<() => void>): Promise<void> {
  return new Promise((resolve) => {
    const release = (): void => {
      clearTimeout(timer);
      held.delete(release);
      res.off("close", release);
      resolve();
    };
    const timer = setTimeout(release, holdMs);
    held.add(release);
    res.on("close", release);
  });
}
