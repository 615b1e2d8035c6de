/**
 * The HTTP trigger: any method and path → FC 3.0 HTTP-trigger event → the handler → its response struct.
 * A handler that throws answers 502 with FC's error body and `x-fc-error-type: UnhandledInvocationError`
 * (what the real gateway answers in that case is UNCONFIRMED, fc3.md §4).
 */
import { createServer } from "node:http";
import { readBody, toHttpTriggerEvent, writeHttpAnswer } from "./http-trigger.ts";
import type { InvokeOutcome } from "./invoke.ts";
import { closeServer, listen } from "./listen.ts";

export interface HttpTriggerServerOptions {
  port?: number;
  host?: string;
  /** Runs the function once with the event bytes. */
  run: (event: Buffer, requestId: string) => Promise<InvokeOutcome>;
}

export interface HttpTriggerServer {
  url: string;
  close(): Promise<void>;
}

export async function startHttpTriggerServer(options: HttpTriggerServerOptions): Promise<HttpTriggerServer> {
  const server = createServer(async (req, res) => {
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      writeHttpAnswer(res, {
        statusCode: 413,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ errorMessage: (err as Error).message, errorType: "EntityTooLarge" }),
      });
      return;
    }
    const event = toHttpTriggerEvent(req, body);
    const requestId = event.requestContext.requestId;
    const outcome = await options.run(Buffer.from(JSON.stringify(event)), requestId);
    res.setHeader("x-fc-request-id", requestId);
    if (outcome.ok) {
      writeHttpAnswer(res, outcome.result);
      return;
    }
    writeHttpAnswer(res, {
      statusCode: 502,
      headers: { "content-type": "application/json", "x-fc-error-type": "UnhandledInvocationError" },
      body: JSON.stringify({ errorMessage: outcome.error.errorMessage, errorType: outcome.error.errorType }),
    });
  });
  const url = await listen(server, options.port ?? 0, options.host);
  return { url, close: () => closeServer(server) };
}
