/**
 * Every failure of an EIAM call becomes an EiamError that says whether trying again can help.
 * Retryable: network errors, timeouts, 5xx, 429 and any `Throttling*` code. Everything else (4xx) is permanent.
 */
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

export function classifyEiamError(err: unknown): EiamError {
  if (err instanceof EiamError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as TeaErrorShape;
  const status = typeof e.statusCode === "number" && Number.isFinite(e.statusCode) ? e.statusCode : undefined;
  const code = asString(e.code);
  const rawMessage = asString(e.message) ?? String(err);

  if (status !== undefined) {
    const eiamCode = asString(e.data?.Code) ?? code ?? `HTTP${status}`;
    const message = asString(e.data?.Message) ?? rawMessage;
    const requestId = asString(e.data?.RequestId);
    const retryable = status >= 500 || status === 429 || eiamCode.startsWith("Throttling");
    return new EiamError(eiamCode, message, retryable, status, requestId);
  }

  const name = asString(e.name) ?? "";
  if (name.endsWith("TimeoutError") || /timeout/i.test(rawMessage)) {
    return new EiamError("NetworkTimeout", rawMessage, true);
  }
  if (code !== undefined && NETWORK_CODES.has(code)) return new EiamError(code, rawMessage, true);
  if (/socket hang up|ECONNRESET|ECONNREFUSED|EPIPE/.test(rawMessage)) {
    return new EiamError("NetworkError", rawMessage, true);
  }
  // A 2xx/4xx/5xx whose body is not JSON (a proxy page, a truncated answer) makes the SDK throw a SyntaxError.
  if (err instanceof SyntaxError) return new EiamError("InvalidResponse", rawMessage, true);
  return new EiamError(code ?? "UnknownError", rawMessage, false);
}
