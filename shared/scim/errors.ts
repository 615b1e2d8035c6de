/** SCIM answers and errors (RFC 7644 §3.12): always `application/scim+json`, errors in the Error schema. */
import { type HttpResponse, RETRY_AFTER_SECONDS } from "../handler/http-response.ts";

export const SCIM_CONTENT_TYPE = "application/scim+json; charset=utf-8";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

const MAX_DETAIL = 1000;

export function scimResponse(
  statusCode: number,
  body?: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode,
    headers: body === undefined ? { ...headers } : { "content-type": SCIM_CONTENT_TYPE, ...headers },
    body: body === undefined ? "" : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

export function scimError(
  status: number,
  detail: string,
  scimType?: ScimType,
  headers: Record<string, string> = {},
): HttpResponse {
  const capped = detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail;
  return scimResponse(
    status,
    {
      schemas: [ERROR_SCHEMA],
      status: String(status),
      ...(scimType === undefined ? {} : { scimType }),
      detail: capped,
    },
    headers,
  );
}

/** 429 (throttled) or 503 (unavailable), both with Retry-After. */
export function retryLater(status: 429 | 503, detail: string): HttpResponse {
  return scimError(status, detail, undefined, { "retry-after": String(RETRY_AFTER_SECONDS) });
}

/** For the door: a SCIM route whose bearer token is missing or wrong. Says nothing about why. */
export function scimUnauthorized(): HttpResponse {
  return scimError(401, "authentication required", undefined, { "www-authenticate": 'Bearer realm="scim"' });
}

/** A filter matches more users than are worth reading (SCIM `tooMany`). */
export class FilterTooBroadError extends Error {
  override readonly name = "FilterTooBroadError";
}
