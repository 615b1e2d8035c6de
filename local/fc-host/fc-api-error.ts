/**
 * FC API errors with an `x-fc-request-id` header. The 2016-08-15 API answers JSON `{ErrorCode, ErrorMessage}`
 * (@alicloud/fc2 names the thrown error `FC<ErrorCode>Error`); the 2023-03-30 API answers
 * `{Code, Message, RequestId}`, the fields @alicloud/openapi-core reads into its ClientError/ServerError.
 * Codes and statuses: docs/local-cloud.md.
 */
import type { ServerResponse } from "node:http";

export class FcApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "FcApiError";
  }
}

export type FcApiVersion = "2016-08-15" | "2023-03-30";

export function sendFcApiError(
  res: ServerResponse,
  requestId: string,
  error: FcApiError,
  version: FcApiVersion = "2016-08-15",
): void {
  const fields =
    version === "2023-03-30"
      ? { Code: error.code, Message: error.message, RequestId: requestId }
      : { ErrorCode: error.code, ErrorMessage: error.message };
  const body = Buffer.from(JSON.stringify(fields));
  res.writeHead(error.status, {
    "content-type": "application/json",
    "content-length": String(body.length),
    "x-fc-request-id": requestId,
  });
  res.end(body);
}
