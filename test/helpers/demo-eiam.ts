/** The EIAM emulator with the demo tenant of `npm start` (local/demo-data.ts), for tests. */
import {
  DEMO_CREDENTIALS,
  DEMO_CUSTOM_FIELDS,
  DEMO_INSTANCE_ID,
  DEMO_ORGANIZATIONAL_UNITS,
  DEMO_USERS,
} from "../../local/demo-data.ts";
import {
  type EiamEmulator,
  type EiamEmulatorOptions,
  startEiamEmulator,
} from "../../local/eiam-emulator/server.ts";

export function startDemoEiam(options: EiamEmulatorOptions = {}): Promise<EiamEmulator> {
  return startEiamEmulator({
    instanceIds: [DEMO_INSTANCE_ID],
    credentials: [DEMO_CREDENTIALS],
    users: DEMO_USERS,
    customFields: DEMO_CUSTOM_FIELDS,
    organizationalUnits: DEMO_ORGANIZATIONAL_UNITS,
    ...options,
  });
}
