/** FC 3.0 event shapes for tests (reference: fc3.md §2–§3), written by hand. */
import { randomUUID } from "node:crypto";

export function httpTriggerEvent(
  body: unknown,
  options: { method?: string; path?: string; headers?: Record<string, string>; base64?: boolean } = {},
): Buffer {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const now = new Date();
  const event = {
    version: "v1",
    rawPath: options.path ?? "/",
    body: options.base64 ? Buffer.from(text).toString("base64") : text,
    isBase64Encoded: options.base64 ?? false,
    headers: { "content-type": "application/json", ...options.headers },
    queryParameters: {},
    requestContext: {
      accountId: "1234567890123456",
      domainName: "test.cn-hangzhou.fcapp.run",
      domainPrefix: "test",
      http: {
        method: options.method ?? "POST",
        path: options.path ?? "/",
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "vitest",
      },
      requestId: randomUUID(),
      time: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
      timeEpoch: String(now.getTime()),
    },
  };
  return Buffer.from(JSON.stringify(event));
}

export function mnsQueueCloudEvents(bodies: string[], options: { base64?: boolean } = {}): Buffer {
  return Buffer.from(
    JSON.stringify(
      bodies.map((body, i) => ({
        id: randomUUID(),
        source: "MNS-eiam-user-sync-mns-user-changes",
        specversion: "1.0",
        type: "mns:Queue:SendMessage",
        datacontenttype: "application/json; charset=utf-8",
        subject: "acs:mns:cn-hangzhou:1234567890123456:queues/eiam-user-changes",
        time: new Date().toISOString(),
        aliyunaccountid: "1234567890123456",
        aliyunpublishtime: new Date().toISOString(),
        aliyunoriginalaccountid: "1234567890123456",
        aliyuneventbusname: "MNS-eiam-user-sync-mns-user-changes",
        aliyunregionid: "cn-hangzhou",
        aliyunpublishaddr: "127.0.0.1",
        data: {
          requestId: randomUUID(),
          messageId: `MSG${String(i).padStart(8, "0")}${randomUUID().replace(/-/g, "").slice(0, 16)}`,
          messageBody: options.base64 ? Buffer.from(body).toString("base64") : body,
        },
      })),
    ),
  );
}

export function fcContext(overrides: Record<string, unknown> = {}) {
  return {
    requestId: randomUUID(),
    credentials: { accessKeyId: "LTAI_local_demo", accessKeySecret: "local-demo-secret" },
    function: { name: "eiam-user-sync", handler: "index.handler", memory: 128, timeout: 30 },
    region: "cn-hangzhou",
    ...overrides,
  };
}

/** Each event made here happened 1 ms after the previous one, so tests never tie on time by accident. */
let clock = Date.now();

export function canonicalEvent(
  overrides: Record<string, unknown> = {},
  changes: Record<string, unknown> = {},
) {
  clock = Math.max(clock + 1, Date.now());
  return {
    id: `evt-${randomUUID()}`,
    source: "workday",
    occurredAt: new Date(clock).toISOString(),
    user: { userId: "user_d6sbsuumeta4h66ec3il7yxxxx" },
    changes: { displayName: "Zhang San", ...changes },
    ...overrides,
  };
}
