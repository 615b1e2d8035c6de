/**
 * Standalone MNS emulator: `npx tsx local/mns-emulator/main.ts` (port from MNS_EMULATOR_PORT, default 8791),
 * with a demo queue, a dead-letter topic and a subscription pushing the topic into a queue.
 */
import { DEFAULT_CREDENTIAL, startMnsEmulator } from "./server.ts";

const port = Number(process.env.MNS_EMULATOR_PORT ?? 8791);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(
    `MNS_EMULATOR_PORT must be an integer from 0 to 65535; got "${process.env.MNS_EMULATOR_PORT}".`,
  );
  process.exit(1);
}

const emulator = await startMnsEmulator({
  port,
  queues: [{ name: "eiam-user-changes" }, { name: "eiam-user-sync-dead-letters" }],
  topics: [{ name: "eiam-user-sync-dlq" }],
  subscriptions: [
    { topic: "eiam-user-sync-dlq", name: "dlq-to-queue", queue: "eiam-user-sync-dead-letters" },
  ],
});

console.log(`
MNS emulator listening on ${emulator.url}
  account id      ${emulator.accountId}
  access key      ${DEFAULT_CREDENTIAL.accessKeyId} / ${DEFAULT_CREDENTIAL.accessKeySecret}
  queues          eiam-user-changes, eiam-user-sync-dead-letters
  topic           eiam-user-sync-dlq  ->  queue eiam-user-sync-dead-letters
  admin           ${emulator.url}/__admin/queues   ${emulator.url}/__admin/topics/eiam-user-sync-dlq/messages

Use it from @alicloud/mns:
  new MNSClient("${emulator.accountId}", { accessKeyId: "${DEFAULT_CREDENTIAL.accessKeyId}", accessKeySecret: "${DEFAULT_CREDENTIAL.accessKeySecret}", endpoint: "${emulator.url}" })
`);

const stop = async (): Promise<void> => {
  await emulator.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
