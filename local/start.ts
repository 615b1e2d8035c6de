/**
 * `npm start`: the function on this machine, behind an HTTP endpoint that turns each request into the
 * FC 3.0 HTTP-trigger event the platform sends, wired to an EIAM emulator seeded with demo users.
 */
import { createServer } from "node:http";
import { DEMO_CREDENTIALS, DEMO_CUSTOM_FIELDS, DEMO_INSTANCE_ID, DEMO_USERS } from "./demo-data.ts";
import { startEiamEmulator } from "./eiam-emulator/server.ts";
import { readBody, toHttpTriggerEvent, writeHttpAnswer } from "./fc-host/http-trigger.ts";
import { type FcHandler, invoke } from "./fc-host/invoke.ts";

const port = Number(process.env.PORT ?? 9000);
const eiam = await startEiamEmulator({
  port: Number(process.env.EIAM_EMULATOR_PORT ?? 0),
  instanceIds: [DEMO_INSTANCE_ID],
  credentials: [DEMO_CREDENTIALS],
  users: DEMO_USERS,
  customFields: DEMO_CUSTOM_FIELDS,
});

// Embedded defaults; anything already in the environment wins.
const defaults: Record<string, string> = {
  EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
  EIAM_ENDPOINT: eiam.endpoint,
  EIAM_PROTOCOL: "http",
  WEBHOOK_AUTH: "none",
  DEAD_LETTER_FILE: ".local-state/dead-letters.jsonl",
  LOG_LEVEL: "info",
};
for (const [k, v] of Object.entries(defaults)) process.env[k] ??= v;

const { handler } = (await import("../functions/user-sync/index.ts")) as { handler: FcHandler };
const fn = {
  name: "eiam-user-sync",
  timeoutSeconds: 60,
  credentials: DEMO_CREDENTIALS,
  region: "cn-hangzhou",
};

const server = createServer(async (req, res) => {
  try {
    const event = toHttpTriggerEvent(req, await readBody(req));
    const outcome = await invoke(
      handler,
      fn,
      Buffer.from(JSON.stringify(event)),
      event.requestContext.requestId,
    );
    if (outcome.ok) writeHttpAnswer(res, outcome.result);
    else
      writeHttpAnswer(res, {
        statusCode: 502,
        headers: { "x-fc-error-type": "UnhandledInvocationError" },
        body: JSON.stringify(outcome.error),
      });
  } catch (err) {
    writeHttpAnswer(res, { statusCode: 400, body: JSON.stringify({ error: (err as Error).message }) });
  }
});
server.listen(port, "127.0.0.1", () => {
  const url = `http://127.0.0.1:${port}`;
  console.log(`
eiam-user-sync is running locally
  HTTP trigger    ${url}/
  EIAM emulator   ${eiam.url}   (admin: ${eiam.url}/__admin/users)
  dead letters    ${process.env.DEAD_LETTER_FILE}

Try it:
  curl -s -X POST ${url}/ -H 'content-type: application/json' -d '{"id":"demo-1","source":"workday","occurredAt":"${new Date().toISOString().replace(/\.\d{3}Z$/, "Z")}","user":{"userId":"user_d6sbsuumeta4h66ec3il7yxxxx"},"changes":{"displayName":"Zhang San (Platform)","phone":"+86 156 1234 5678"}}'
  curl -s ${eiam.url}/__admin/users/user_d6sbsuumeta4h66ec3il7yxxxx
`);
});

const stop = async () => {
  server.close();
  await eiam.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
