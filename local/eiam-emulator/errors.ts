import { randomUUID } from "node:crypto";

/** An error answered to the API caller as a POP-style JSON body with the given HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export interface ErrorBody {
  RequestId: string;
  HostId: string;
  Code: string;
  Message: string;
  Recommend: string;
}

/** Request ids look like the cloud's: an upper-case UUID. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

export function errorBody(error: ApiError, requestId: string, hostId: string): ErrorBody {
  return {
    RequestId: requestId,
    HostId: hostId,
    Code: error.code,
    Message: error.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=Eiam&requestId=${requestId}`,
  };
}

export function missingParameter(name: string, why?: string): ApiError {
  const message =
    why ?? `The input parameter "${name}" that is mandatory for processing this request is not supplied.`;
  return new ApiError(400, `MissingParameter.${name}`, message);
}

/** `codeSuffix` names the field in the code (no list index), `message` names the exact wire field and the rule. */
export function invalidParameter(codeSuffix: string, message: string): ApiError {
  return new ApiError(400, `InvalidParameter.${codeSuffix}`, message);
}

export function signatureError(code: string, message: string): ApiError {
  return new ApiError(400, code, message);
}
