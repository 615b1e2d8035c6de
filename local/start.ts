/**
 * `npm start`: the whole local cloud (local/stack.ts) on fixed default ports, one banner with every endpoint
 * and ready commands, `.local-state/stack.json` for the CLI, and a clean stop on Ctrl-C / SIGTERM.
 */
import { DEFAULT_STACK_FILE } from "./cli/stack-file.ts";
import { type LocalStack, startLocalStack } from "./stack.ts";

function port(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name} must be a port number from 0 to 65535; got '${text}'`);
    process.exit(2);
  }
  return value;
}

/** A token for routes with `tokensEnv: SCIM_BEARER_TOKENS` (examples/senders-scim.json); local only. */
const DEMO_SCIM_TOKEN = "local-demo-scim-token";
if (!process.env.SCIM_BEARER_TOKENS) process.env.SCIM_BEARER_TOKENS = DEMO_SCIM_TOKEN;
// Where a user is created (SCIM POST /Users, UNKNOWN_USER=create) when the change names no OU: Engineering.
if (!process.env.DEFAULT_ORGANIZATIONAL_UNIT_ID)
  process.env.DEFAULT_ORGANIZATIONAL_UNIT_ID = "ou_engineering000000000000000";

function scimLines(httpTrigger: string): string {
  const token = process.env.SCIM_BEARER_TOKENS?.split(",")[0]?.trim();
  return (
    `\n  SCIM 2.0 (a route with format scim, e.g. examples/senders-scim.json): bearer token ${token}\n` +
    `  curl -s -H 'authorization: Bearer ${token}' '${httpTrigger}/scim/v2/Users?filter=userName%20eq%20%22li.si%22'`
  );
}

function banner(stack: LocalStack): string {
  const { info } = stack;
  const e = info.endpoints;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const webhookAuth = process.env.WEBHOOK_AUTH ?? "none";
  const sendersFile = process.env.SENDERS_FILE;
  const authLine = sendersFile
    ? `HTTP routes from SENDERS_FILE=${sendersFile}: each route names its auth (docs/sources.md); other paths get 404.\n` +
      "  The catch-all webhook example below needs a route for / (or start without SENDERS_FILE)." +
      scimLines(e.httpTrigger)
    : webhookAuth === "none"
      ? "Webhook authentication is OFF (WEBHOOK_AUTH=none): the HTTP trigger accepts unsigned requests.\n" +
        "  Set WEBHOOK_AUTH and WEBHOOK_SECRETS before `npm start` to try signed webhooks."
      : `Webhook authentication: WEBHOOK_AUTH=${webhookAuth}.`;
  const event = (id: string, changes: string) =>
    `{"id":"${id}","source":"workday","occurredAt":"${now}","user":{"userId":"user_d6sbsuumeta4h66ec3il7yxxxx"},"changes":${changes}}`;
  return `
eiam-user-sync: the local cloud is running (Ctrl-C stops it)

  HTTP trigger     ${e.httpTrigger}/   ${sendersFile ? "the routes of SENDERS_FILE" : "any path; POST applies changes"}
    ack: enqueue → source queue ${info.mns.sourceQueue} (SOURCE_QUEUE)
  FC invoke API    ${e.fcApi}   function ${info.fc.function} (2023-03-30; 2016-08-15 as service ${info.fc.service})
  MNS              ${e.mns}   account ${info.accountId}
    source queue          ${info.mns.sourceQueue}   → the function (EventBridge-style trigger)
    dead-letter topic     ${info.mns.deadLetterTopic}   (DEAD_LETTER_TOPIC, async onFailure)
    operators' queue      ${info.mns.deadLetterQueue}   (subscribed to the topic; \`dlq\` reads it)
    trigger dead letters  ${info.mns.triggerDeadLetterQueue}   (raw messages after 3 failed deliveries)
  EIAM emulator    ${e.eiam}   instance ${info.eiam.instanceId}   (users: ${e.eiam}/__admin/users)
  credentials      ${info.credentials.accessKeyId} / ${info.credentials.accessKeySecret}   (FC, MNS, EIAM; the function's role)
  stack file       ${DEFAULT_STACK_FILE}   (the CLI finds the stack through it)

${authLine}

Try it:
  # a webhook through the HTTP trigger
  curl -s -X POST ${e.httpTrigger}/ -H 'content-type: application/json' \\
    -d '${event("demo-1", '{"displayName":"Zhang San (Platform)","phone":"+86 156 1234 5678"}')}'
  # a queue message through the MNS trigger
  echo '${event("demo-2", '{"customFields":{"cost_center":"CC-42"}}')}' | npx eiam-user-sync send -
  # a broken one (unknown custom field), then the dead letters
  echo '${event("demo-3", '{"customFields":{"badge_color":"blue"}}')}' | npx eiam-user-sync send -
  npx eiam-user-sync dlq list
  curl -s ${e.eiam}/__admin/users/user_d6sbsuumeta4h66ec3il7yxxxx
`;
}

const stack = await startLocalStack({
  ports: {
    httpTrigger: port("PORT", 9000),
    fcApi: port("FC_API_PORT", 0),
    mns: port("MNS_EMULATOR_PORT", 0),
    eiam: port("EIAM_EMULATOR_PORT", 0),
  },
  stateFile: DEFAULT_STACK_FILE,
  log: (line) => console.log(`[local] ${line}`),
});
console.log(banner(stack));

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) {
    console.log(`\n${signal} again: exiting now`);
    process.exit(1);
  }
  stopping = true;
  console.log(`\n${signal}: stopping the local cloud…`);
  await stack.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
