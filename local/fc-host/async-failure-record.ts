/**
 * What FC publishes to an async invocation's onFailure destination once its retries are used up.
 * The shape is UNCONFIRMED (fc3.md §4 has only the first lines of the official sample); see docs/local-cloud.md.
 */
import type { FcErrorBody } from "./invoke.ts";

export interface AsyncFailureRecord {
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: "RetriesExhausted";
    approximateInvokeCount: number;
  };
  /** The original event, as a string. */
  requestPayload: string;
  responseContext: { statusCode: number; functionError: string };
  /** The last error body, as a JSON string. */
  responsePayload: string;
}

export function functionArn(region: string, accountId: string, functionName: string): string {
  return `acs:fc:${region}:${accountId}:functions/${functionName}`;
}

export function asyncFailureRecord(input: {
  requestId: string;
  functionArn: string;
  invokeCount: number;
  event: Buffer;
  error: FcErrorBody;
  now: number;
}): AsyncFailureRecord {
  return {
    timestamp: new Date(input.now).toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: input.functionArn,
      condition: "RetriesExhausted",
      approximateInvokeCount: input.invokeCount,
    },
    requestPayload: input.event.toString("utf8"),
    responseContext: { statusCode: 200, functionError: "UnhandledInvocationError" },
    responsePayload: JSON.stringify({
      errorMessage: input.error.errorMessage,
      errorType: input.error.errorType,
    }),
  };
}
