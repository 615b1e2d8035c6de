/**
 * FC API errors as @alicloud/fc2 reads them: JSON `{ErrorCode, ErrorMessage}` with an `x-fc-request-id`
 * header (the SDK names the thrown error `FC<ErrorCode>Error`). Codes and statuses: docs/local-cloud.md.
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

export function sendFcApiError(res: ServerResponse, requestId: string, error: FcApiError): void {
  const body = Buffer.from(JSON.stringify({ ErrorCode: error.code, ErrorMessage: error.message }));
  res.writeHead(error.status, {
    "content-type": "application/json",
    "content-length": String(body.length),
    "x-fc-request-id": requestId,
  });
  res.end(body);
}
