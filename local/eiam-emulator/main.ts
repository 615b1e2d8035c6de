// Standalone local EIAM: `npx tsx local/eiam-emulator/main.ts` (port from EIAM_EMULATOR_PORT, default 8790).
import { DEFAULT_INSTANCE_ID, startEiamEmulator } from "./server.ts";

const DEFAULT_PORT = 8790;

function portFromEnv(): number {
  const raw = process.env.EIAM_EMULATOR_PORT;
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`EIAM_EMULATOR_PORT must be an integer from 0 to 65535 (got "${raw}").`);
  }
  return port;
}

const emulator = await startEiamEmulator({
  port: portFromEnv(),
  host: process.env.EIAM_EMULATOR_HOST ?? "127.0.0.1",
  customFields: [
    { fieldName: "employee_number", pattern: "[0-9]{1,10}" },
    { fieldName: "department", maxLength: 64 },
    { fieldName: "nick_name", maxLength: 32 },
  ],
  users: [
    {
      userId: "user_demoalice00000000000000000",
      username: "alice",
      displayName: "Alice Chen",
      email: "alice@example.com",
      emailVerified: true,
      phoneRegion: "86",
      phoneNumber: "13800000001",
      phoneNumberVerified: true,
      userExternalId: "E1001",
      customFields: { employee_number: "1001", department: "Engineering" },
    },
    {
      userId: "user_demobob0000000000000000000",
      username: "bob",
      displayName: "Bob Wang",
      email: "bob@example.com",
      emailVerified: true,
      userExternalId: "E1002",
      customFields: { employee_number: "1002" },
    },
    {
      userId: "user_democarol00000000000000000",
      username: "carol",
      displayName: "Carol Li",
      status: "disabled",
    },
  ],
  log: (line) => console.log(line),
});

console.log(`EIAM emulator listening on ${emulator.url}`);
console.log(`  client config: endpoint "${emulator.endpoint}", protocol "http"`);
console.log(`  InstanceId ${DEFAULT_INSTANCE_ID}; AccessKeyId LTAI_local_demo / secret local-demo-secret`);
console.log(`  admin API: ${emulator.url}/__admin/health`);

const shutdown = (): void => {
  emulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
