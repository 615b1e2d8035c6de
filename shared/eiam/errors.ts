/**
 * Every failure of an EIAM call becomes an EiamError that says whether trying again can help.
 * Retryable: network errors, timeouts, 5xx, 429 and any `Throttling*` code. Everything else (4xx) is permanent.
 */
import { cap } from "../cap.ts";

export class EiamError extends Error {
  override readonly name = "EiamError";
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly httpStatus?: number,
    readonly requestId?: string,
  ) {
    super(message);
  }

  get throttled(): boolean {
    return this.code.startsWith("Throttling") || this.httpStatus === 429;
  }
}

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
]);

interface TeaErrorShape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  data?: { RequestId?: unknown; Message?: unknown; Code?: unknown } | undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" && value !== "undefined" ? value : undefined;
}

/**
 * What the SDK says of a failure that has no EIAM answer is not kept: its messages quote the request URL, and an
 * RPC call carries every parameter (names, emails, phone numbers) in the query. Only our own words are kept, and
 * of anything else only the part before a URL's query.
 */
function safeDetail(text: string): string {
  const scheme = text.indexOf("://");
  const query = scheme === -1 ? -1 : text.indexOf("?", scheme);
  // Everything from a query on is dropped: a decoded query has spaces, so where it ends cannot be told.
  return cap(query === -1 ? text : `${text.slice(0, query)}?…`, 300);
}

export function classifyEiamError(err: unknown): EiamError {
  if (err instanceof EiamError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as TeaErrorShape;
  const status = typeof e.statusCode === "number" && Number.isFinite(e.statusCode) ? e.statusCode : undefined;
  const code = asString(e.code);
  const rawMessage = asString(e.message) ?? String(err);

  if (status !== undefined) {
    const eiamCode = asString(e.data?.Code) ?? code ?? `HTTP${status}`;
    const message = asString(e.data?.Message) ?? `EIAM answered HTTP ${status}`;
    const requestId = asString(e.data?.RequestId);
    const retryable = status >= 500 || status === 429 || eiamCode.startsWith("Throttling");
    return new EiamError(eiamCode, safeDetail(message), retryable, status, requestId);
  }

  const name = asString(e.name) ?? "";
  if (name.endsWith("TimeoutError") || /timeout/i.test(rawMessage)) {
    return new EiamError("NetworkTimeout", "the EIAM call timed out before an answer came", true);
  }
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return new EiamError(code, `the connection to EIAM failed (${code})`, true);
  }
  if (/socket hang up|ECONNRESET|ECONNREFUSED|EPIPE/.test(rawMessage)) {
    return new EiamError("NetworkError", "the connection to EIAM was closed before an answer came", true);
  }
  // A 2xx/4xx/5xx whose body is not JSON (a proxy page, a truncated answer) makes the SDK throw a SyntaxError.
  if (err instanceof SyntaxError) {
    return new EiamError("InvalidResponse", "EIAM's answer could not be read as JSON", true);
  }
  return new EiamError(code ?? "UnknownError", safeDetail(`${name || "Error"}: ${rawMessage}`), false);
}
