import { sha256Id } from "./body-encoding.ts";
import type { Delivery } from "./delivery.ts";
import { isRecord, toHeaders, toStringMap } from "./headers.ts";

/** FC 3.0 HTTP trigger event: `version: "v1"` and a `requestContext.http` object. */
export function isHttpTriggerEvent(value: unknown): value is Record<string, unknown> {
  return (
    isRecord(value) &&
    value.version === "v1" &&
    isRecord(value.requestContext) &&
    isRecord(value.requestContext.http)
  );
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" && value !== "" ? value : fallback;
}

/** One HTTP request. Any method and path are carried; deciding what to do with them is the caller's job. */
export function httpDelivery(event: Record<string, unknown>, receivedAt: number): Delivery {
  const context = isRecord(event.requestContext) ? event.requestContext : {};
  const http = isRecord(context.http) ? context.http : {};
  const headers = toHeaders(Object.entries(isRecord(event.headers) ? event.headers : {}));
  const query = toStringMap(Object.entries(isRecord(event.queryParameters) ? event.queryParameters : {}));
  const rawBody = typeof event.body === "string" ? event.body : "";
  const body = Buffer.from(rawBody, event.isBase64Encoded === true ? "base64" : "utf8");
  const sourceIp = typeof http.sourceIp === "string" ? http.sourceIp : undefined;
  return {
    trigger: "http",
    deliveryId: stringOr(headers["webhook-id"], stringOr(context.requestId, sha256Id(body))),
    receivedAt,
    body,
    headers,
    http: {
      method: stringOr(http.method, "GET").toUpperCase(),
      // requestContext.http.path is the decoded path; rawPath is URL-encoded.
      path: stringOr(http.path, stringOr(event.rawPath, "/")),
      query,
      ...(sourceIp === undefined ? {} : { sourceIp }),
    },
    original: event,
  };
}
