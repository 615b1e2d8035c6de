/**
 * The local cloud, started and stopped as one: the EIAM emulator with the demo tenant, the MNS emulator with
 * the source queue, the dead-letter topic and the operators' queue subscribed to it, and the function behind a
 * local Function Compute (HTTP trigger, invoke API with async retries and an onFailure destination, and an
 * EventBridge-style MNS-queue trigger). Used by `npm start` (local/start.ts) and by the tests.
 */

import { removeStackFile, type StackInfo, writeStackFile } from "./cli/stack-file.ts";
import {
  DEMO_CREDENTIALS,
  DEMO_CUSTOM_FIELDS,
  DEMO_INSTANCE_ID,
  DEMO_ORGANIZATIONAL_UNITS,
  DEMO_USERS,
} from "./demo-data.ts";
import { type EiamEmulator, startEiamEmulator } from "./eiam-emulator/server.ts";
import { type FcHost, startFcHost } from "./fc-host/host.ts";
import type { FcHandler } from "./fc-host/invoke.ts";
import { createMnsClient, mnsTopicDestination } from "./fc-host/mns-client.ts";
import { MnsQueuePoller } from "./fc-host/mns-queue-poller.ts";
import { type MnsEmulator, startMnsEmulator } from "./mns-emulator/server.ts";

export const STACK_NAMES = {
  functionName: "eiam-user-sync",
  serviceName: "eiam-user-sync",
  triggerName: "mns-user-changes",
  sourceQueue: "eiam-user-changes",
  deadLetterTopic: "eiam-user-sync-dead-letters",
  deadLetterQueue: "eiam-user-sync-dead-letters-q",
  deadLetterSubscription: "dead-letters-to-operators",
  triggerDeadLetterQueue: "eiam-user-sync-trigger-dlq",
} as const;

export const LOCAL_REGION = "cn-hangzhou";

export interface LocalStackOptions {
  /** Default 0 (ephemeral) for each. */
  ports?: { httpTrigger?: number; fcApi?: number; mns?: number; eiam?: number };
  /** Function settings between the built-in defaults and `process.env` (which always wins). */
  functionEnv?: Record<string, string>;
  /** Default: the real function, loaded from functions/user-sync/index.ts after the env is set. */
  handler?: FcHandler;
  /** `context.function.timeout`; default 60. */
  functionTimeoutSeconds?: number;
  asyncInvoke?: { maxAsyncRetryAttempts?: number; retryDelayMs?: number };
  trigger?: {
    /** Default true. */
    enabled?: boolean;
    batchSize?: number;
    batchWindowSeconds?: number;
    maxDeliveries?: number;
    pollWaitSeconds?: number;
  };
  /** The source queue's visibility timeout: how long a failed batch waits before it comes again. Default 30. */
  sourceQueueVisibilityTimeoutSeconds?: number;
  /** Where to write the stack file for the CLI; nothing is written without it. */
  stateFile?: string;
  log?: (line: string) => void;
}

export interface LocalStack {
  info: StackInfo;
  eiam: EiamEmulator;
  mns: MnsEmulator;
  fcHost: FcHost;
  poller: MnsQueuePoller | undefined;
  /** The function's settings the stack put into `process.env` (already-set variables are not listed). */
  envDefaults: Record<string, string>;
  close(): Promise<void>;
}

/** Sets each variable that is not set yet; returns how to undo exactly that. */
function applyEnvDefaults(values: Record<string, string>): { applied: Record<string, string>; undo(): void } {
  const applied: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (process.env[key] === undefined || process.env[key] === "") {
      process.env[key] = value;
      applied[key] = value;
    }
  }
  return {
    applied,
    undo() {
      for (const [key, value] of Object.entries(applied))
        if (process.env[key] === value) delete process.env[key];
    },
  };
}

async function loadFunction(): Promise<FcHandler> {
  const module = (await import("../functions/user-sync/index.ts")) as unknown as { handler: FcHandler };
  return module.handler;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const ports = options.ports ?? {};
  const closers: Array<() => Promise<void> | void> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };

  try {
    const eiam = await startEiamEmulator({
      port: ports.eiam ?? 0,
      instanceIds: [DEMO_INSTANCE_ID],
      credentials: [DEMO_CREDENTIALS],
      users: DEMO_USERS,
      customFields: DEMO_CUSTOM_FIELDS,
      organizationalUnits: DEMO_ORGANIZATIONAL_UNITS,
    });
    closers.push(() => eiam.close());

    const mns = await startMnsEmulator({
      port: ports.mns ?? 0,
      credentials: [DEMO_CREDENTIALS],
      queues: [
        {
          name: STACK_NAMES.sourceQueue,
          visibilityTimeoutSeconds: options.sourceQueueVisibilityTimeoutSeconds ?? 30,
        },
        { name: STACK_NAMES.deadLetterQueue },
        { name: STACK_NAMES.triggerDeadLetterQueue },
      ],
      topics: [{ name: STACK_NAMES.deadLetterTopic }],
      subscriptions: [
        {
          topic: STACK_NAMES.deadLetterTopic,
          name: STACK_NAMES.deadLetterSubscription,
          queue: STACK_NAMES.deadLetterQueue,
        },
      ],
    });
    closers.push(() => mns.close());

    // With a routes file (SENDERS_FILE) each route names its auth, and WEBHOOK_AUTH must stay unset.
    const routed = Boolean(options.functionEnv?.SENDERS_FILE || process.env.SENDERS_FILE);
    const env = applyEnvDefaults({
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      ...(routed ? {} : { WEBHOOK_AUTH: "none" }),
      DEAD_LETTER_TOPIC: STACK_NAMES.deadLetterTopic,
      SOURCE_QUEUE: STACK_NAMES.sourceQueue,
      MNS_ENDPOINT: mns.url,
      MNS_ACCOUNT_ID: mns.accountId,
      IDEMPOTENCY_STORE: "memory",
      ...options.functionEnv,
    });
    closers.push(() => env.undo());

    const handler = options.handler ?? (await loadFunction());
    const platformMns = createMnsClient({
      accountId: mns.accountId,
      endpoint: mns.url,
      credentials: DEMO_CREDENTIALS,
    });
    const fcHost = await startFcHost({
      handler,
      fn: {
        name: STACK_NAMES.functionName,
        timeoutSeconds: options.functionTimeoutSeconds ?? 60,
        credentials: DEMO_CREDENTIALS,
        region: LOCAL_REGION,
        accountId: mns.accountId,
      },
      serviceName: STACK_NAMES.serviceName,
      httpTriggerPort: ports.httpTrigger ?? 0,
      invokeApiPort: ports.fcApi ?? 0,
      apiCredentials: [DEMO_CREDENTIALS],
      async: {
        ...options.asyncInvoke,
        onFailure: mnsTopicDestination(platformMns, STACK_NAMES.deadLetterTopic),
      },
      log,
    });
    closers.push(() => fcHost.close());

    let poller: MnsQueuePoller | undefined;
    if (options.trigger?.enabled !== false) {
      const { enabled: _enabled, ...settings } = options.trigger ?? {};
      const started = new MnsQueuePoller({
        client: platformMns,
        source: {
          accountId: mns.accountId,
          region: LOCAL_REGION,
          queue: STACK_NAMES.sourceQueue,
          functionName: STACK_NAMES.functionName,
          triggerName: STACK_NAMES.triggerName,
        },
        invoke: (event) => fcHost.run(event),
        deadLetterQueue: STACK_NAMES.triggerDeadLetterQueue,
        log,
        ...settings,
      });
      started.start();
      closers.push(() => started.stop());
      poller = started;
    }

    const info: StackInfo = {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      accountId: mns.accountId,
      region: LOCAL_REGION,
      credentials: { ...DEMO_CREDENTIALS },
      endpoints: {
        httpTrigger: fcHost.httpTriggerUrl,
        fcApi: fcHost.invokeApiUrl,
        mns: mns.url,
        eiam: eiam.url,
      },
      fc: { service: STACK_NAMES.serviceName, function: STACK_NAMES.functionName },
      mns: {
        sourceQueue: STACK_NAMES.sourceQueue,
        deadLetterTopic: STACK_NAMES.deadLetterTopic,
        deadLetterQueue: STACK_NAMES.deadLetterQueue,
        triggerDeadLetterQueue: STACK_NAMES.triggerDeadLetterQueue,
      },
      eiam: { instanceId: process.env.EIAM_INSTANCE_ID ?? DEMO_INSTANCE_ID },
    };
    const stateFile = options.stateFile;
    if (stateFile !== undefined) {
      writeStackFile(stateFile, info);
      closers.push(() => removeStackFile(stateFile));
    }

    let closing: Promise<void> | undefined;
    return {
      info,
      eiam,
      mns,
      fcHost,
      poller,
      envDefaults: env.applied,
      close: () => {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
