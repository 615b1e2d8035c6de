/**
 * Test support for the MNS emulator tests: the real @alicloud/mns client (typed here, the package ships no
 * types) and an independent request signer for requests the SDK cannot make (stale dates, bad digests).
 */
import { createHash, createHmac } from "node:crypto";
import { request } from "node:http";
import { createRequire } from "node:module";
import type { MnsEmulator } from "../../local/mns-emulator/server.ts";

export type Fields = Record<string, string>;

export interface SdkResponse<Body> {
  code: number;
  headers: Record<string, string | undefined>;
  body: Body;
}

export interface SendParams {
  MessageBody: string;
  DelaySeconds?: number;
  Priority?: number;
}

export interface PublishParams {
  MessageBody: string;
  MessageTag?: string;
  MessageAttributes?: Record<string, unknown>;
}

/** The subset of @alicloud/mns 1.2.0 `Client` the tests use (lib/client.js). */
export interface MnsSdkClient {
  endpoint: string;
  createQueue(name: string, params?: Record<string, string | number>): Promise<SdkResponse<undefined>>;
  getQueueAttributes(name: string): Promise<SdkResponse<Fields>>;
  sendMessage(queue: string, params: SendParams): Promise<SdkResponse<Fields>>;
  batchSendMessage(queue: string, params: SendParams[]): Promise<SdkResponse<Fields[]>>;
  receiveMessage(queue: string, waitSeconds?: number): Promise<SdkResponse<Fields>>;
  batchReceiveMessage(
    queue: string,
    numOfMessages: number,
    waitSeconds?: number,
  ): Promise<SdkResponse<Fields[]>>;
  peekMessage(queue: string): Promise<SdkResponse<Fields>>;
  batchPeekMessage(queue: string, numOfMessages: number): Promise<SdkResponse<Fields[]>>;
  deleteMessage(queue: string, receiptHandle: string): Promise<SdkResponse<undefined>>;
  batchDeleteMessage(queue: string, receiptHandles: string[]): Promise<SdkResponse<Fields[] | undefined>>;
  changeMessageVisibility(
    queue: string,
    receiptHandle: string,
    visibilityTimeout: number,
  ): Promise<SdkResponse<Fields>>;
  createTopic(name: string, params?: Record<string, string | number>): Promise<SdkResponse<undefined>>;
  getTopicAttributes(name: string): Promise<SdkResponse<Fields>>;
  publishMessage(topic: string, params: PublishParams): Promise<SdkResponse<Fields>>;
}

export interface MnsSdkOptions {
  accessKeyId: string;
  accessKeySecret: string;
  endpoint: string;
  securityToken?: string;
}

type MnsSdkConstructor = new (accountId: string, options: MnsSdkOptions) => MnsSdkClient;

// createRequire rather than `import`: the package has no type declarations, and this keeps the type here.
const MNSClient = createRequire(import.meta.url)("@alicloud/mns") as MnsSdkConstructor;

export const DEMO_KEY = { accessKeyId: "LTAI_local_demo", accessKeySecret: "local-demo-secret" };

/** A real SDK client pointed at the emulator (1.2.0 honours `endpoint`, so nothing is patched afterwards). */
export function sdkClient(emulator: MnsEmulator, overrides: Partial<MnsSdkOptions> = {}): MnsSdkClient {
  return new MNSClient(emulator.accountId, { ...DEMO_KEY, endpoint: emulator.url, ...overrides });
}

/** Runs an SDK call that must fail and returns the error, whose `name` is `MNS<Code>Error`. */
export async function sdkError(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`the call failed with a non-Error: ${String(error)}`);
  }
  throw new Error("expected the SDK call to fail, but it succeeded");
}

export interface RawRequest {
  method: string;
  /** Path plus query, signed and sent exactly as given. */
  resource: string;
  body?: string | Buffer;
  date?: Date;
  accessKeyId?: string;
  accessKeySecret?: string;
  /** Overrides the computed base64(hex md5) Content-MD5; `null` leaves the header out. */
  contentMd5?: string | null;
  headers?: Record<string, string>;
  /** Aborting it drops the connection, like a client that gives up. */
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Signs like the MNS docs describe (independently of the emulator's code) and sends with node:http. */
export function signedRequest(emulator: MnsEmulator, raw: RawRequest): Promise<RawResponse> {
  const body = raw.body === undefined ? Buffer.alloc(0) : Buffer.from(raw.body);
  const date = (raw.date ?? new Date()).toUTCString();
  const headers: Record<string, string> = {
    date,
    "x-mns-date": date,
    "x-mns-version": "2015-06-06",
    ...raw.headers,
  };
  if (body.length > 0 || raw.method !== "GET") {
    headers["content-type"] = "text/xml";
    const md5 = Buffer.from(createHash("md5").update(body).digest("hex")).toString("base64");
    if (raw.contentMd5 !== null) headers["content-md5"] = raw.contentMd5 ?? md5;
  }
  const mnsHeaders = Object.keys(headers)
    .filter((k) => k.startsWith("x-mns-"))
    .sort()
    .map((k) => `${k}:${headers[k]}\n`)
    .join("");
  const toSign = `${raw.method}\n${headers["content-md5"] ?? ""}\n${headers["content-type"] ?? ""}\n${date}\n${mnsHeaders}${raw.resource}`;
  const signature = createHmac("sha1", raw.accessKeySecret ?? DEMO_KEY.accessKeySecret)
    .update(toSign)
    .digest("base64");
  headers.authorization = `MNS ${raw.accessKeyId ?? DEMO_KEY.accessKeyId}:${signature}`;
  return sendRaw(emulator, raw.method, raw.resource, headers, body, raw.signal);
}

export function sendRaw(
  emulator: MnsEmulator,
  method: string,
  resource: string,
  headers: Record<string, string>,
  body: Buffer = Buffer.alloc(0),
  signal?: AbortSignal,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${emulator.url}${resource}`,
      {
        method,
        headers: { ...headers, "content-length": String(body.length) },
        ...(signal ? { signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The text of `<name>` in a small XML answer (tests only; answers here are flat). */
export function xmlField(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

export function upperMd5(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex").toUpperCase();
}
