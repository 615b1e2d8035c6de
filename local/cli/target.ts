/**
 * Where a command acts: the local stack (default; `.local-state/stack.json`) or the cloud (`--cloud`, or
 * `--to fc`), whose settings come from flags or their environment variables.
 */
import { isAbsolute, join } from "node:path";
import { type CliIo, UsageError } from "./io.ts";
import { DEFAULT_STACK_FILE, readStackFile } from "./stack-file.ts";

export const TARGET_OPTIONS = {
  local: { type: "boolean" },
  cloud: { type: "boolean" },
  state: { type: "string" },
  "account-id": { type: "string" },
  region: { type: "string" },
  "mns-endpoint": { type: "string" },
  "dlq-queue": { type: "string" },
  queue: { type: "string" },
  service: { type: "string" },
  function: { type: "string" },
  qualifier: { type: "string" },
  "fc-endpoint": { type: "string" },
  api: { type: "string" },
} as const;

export const TARGET_HELP = `Target (default: the local stack that \`npm start\` runs):
  --local                 the local stack, found through .local-state/stack.json
  --state FILE            another stack file
  --cloud                 the deployed function and the cloud MNS; settings from these flags or their env:
    --account-id ID         FC_ACCOUNT_ID (required)
    --region REGION         ALIBABA_CLOUD_REGION_ID (required)
    --mns-endpoint URL      MNS_ENDPOINT (default https://<account-id>.mns.<region>.aliyuncs.com)
    --api fc3|fc2           FC_API: the invoke API; fc3 (default) is FC 3.0's 2023-03-30 API
                            (@alicloud/fc20230330); fc2 the 2016-08-15 API (@alicloud/fc2) of a function
                            deployed as an FC 2.0 service (needs --service)
    --service NAME          FC_SERVICE, with --api fc2 only (default eiam-user-sync)
    --function NAME         FC_FUNCTION (default eiam-user-sync)
    --qualifier Q           FC_QUALIFIER (a version or alias; default none, i.e. LATEST)
    --fc-endpoint URL       FC_ENDPOINT (default https://<account-id>.<region>.fc.aliyuncs.com)
    credentials             ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET,
                            ALIBABA_CLOUD_SECURITY_TOKEN (for STS keys)
  --api fc3|fc2           applies to the local stack too: its FC host serves both invoke APIs
  --dlq-queue NAME        DLQ_QUEUE: the queue subscribed to the dead-letter topic
                          (default eiam-user-sync-dead-letters-q)
  --queue NAME            SOURCE_QUEUE: the queue the MNS trigger reads (default eiam-user-changes)`;

export interface TargetValues {
  local?: boolean;
  cloud?: boolean;
  state?: string;
  "account-id"?: string;
  region?: string;
  "mns-endpoint"?: string;
  "dlq-queue"?: string;
  queue?: string;
  service?: string;
  function?: string;
  qualifier?: string;
  "fc-endpoint"?: string;
  api?: string;
}

export type FcApi = "fc3" | "fc2";

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface Target {
  kind: "local" | "cloud";
  accountId: string;
  region: string;
  credentials: Credentials;
  mnsEndpoint: string;
  dlqQueue: string;
  sourceQueue: string;
  fc: { api: FcApi; endpoint: string; service: string; function: string; qualifier?: string };
  /** Local only: the EIAM instance the stack's function writes to. */
  instanceId?: string;
}

export const CLOUD_DEFAULTS = {
  service: "eiam-user-sync",
  function: "eiam-user-sync",
  dlqQueue: "eiam-user-sync-dead-letters-q",
  sourceQueue: "eiam-user-changes",
};

/** `--to local|fc` picks the target too; it must agree with `--local` / `--cloud`. */
export function targetKind(values: TargetValues, to?: string): "local" | "cloud" {
  if (to !== undefined && to !== "local" && to !== "fc") {
    throw new UsageError(`--to must be local or fc; got '${to}'`);
  }
  if (values.local && values.cloud) throw new UsageError("--local and --cloud cannot be used together");
  if (to === "fc" && values.local)
    throw new UsageError("--to fc invokes the deployed function: drop --local");
  if (to === "local" && values.cloud) throw new UsageError("--to local needs the local stack: drop --cloud");
  return values.cloud || to === "fc" ? "cloud" : "local";
}

function fcApi(value: string | undefined): FcApi {
  const api = value?.trim() || "fc3";
  if (api !== "fc3" && api !== "fc2") throw new UsageError(`--api must be fc3 or fc2; got '${api}'`);
  return api;
}

function required(value: string | undefined, flag: string, env: string): string {
  if (value === undefined || value.trim() === "") {
    throw new UsageError(`the cloud target needs ${flag} (or ${env})`);
  }
  return value.trim();
}

function httpUrl(value: string, flag: string): string {
  if (!/^https?:\/\/[^/\s]+\/?$/.test(value)) {
    throw new UsageError(`${flag} must be http(s)://host[:port]; got '${value}'`);
  }
  return value.replace(/\/$/, "");
}

export function resolveTarget(values: TargetValues, io: CliIo, to?: string): Target {
  const kind = targetKind(values, to);
  const env = io.env;
  if (kind === "local") {
    const file = values.state ?? env.EIAM_USER_SYNC_STACK_FILE ?? DEFAULT_STACK_FILE;
    const stack = readStackFile(isAbsolute(file) ? file : join(io.cwd, file));
    return {
      kind,
      accountId: stack.accountId,
      region: stack.region,
      credentials: stack.credentials,
      mnsEndpoint: stack.endpoints.mns,
      dlqQueue: values["dlq-queue"] ?? stack.mns.deadLetterQueue,
      sourceQueue: values.queue ?? stack.mns.sourceQueue,
      fc: {
        api: fcApi(values.api ?? env.FC_API),
        endpoint: stack.endpoints.fcApi,
        service: values.service ?? stack.fc.service,
        function: values.function ?? stack.fc.function,
        ...(values.qualifier ? { qualifier: values.qualifier } : {}),
      },
      instanceId: stack.eiam.instanceId,
    };
  }
  const accountId = required(values["account-id"] ?? env.FC_ACCOUNT_ID, "--account-id", "FC_ACCOUNT_ID");
  const region = required(
    values.region ?? env.ALIBABA_CLOUD_REGION_ID,
    "--region",
    "ALIBABA_CLOUD_REGION_ID",
  );
  const accessKeyId = required(env.ALIBABA_CLOUD_ACCESS_KEY_ID, "credentials", "ALIBABA_CLOUD_ACCESS_KEY_ID");
  const accessKeySecret = required(
    env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    "credentials",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
  );
  const securityToken = env.ALIBABA_CLOUD_SECURITY_TOKEN?.trim() || undefined;
  const mnsEndpoint = values["mns-endpoint"] ?? env.MNS_ENDPOINT;
  const fcEndpoint = values["fc-endpoint"] ?? env.FC_ENDPOINT;
  const qualifier = values.qualifier ?? env.FC_QUALIFIER;
  return {
    kind,
    accountId,
    region,
    credentials: { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) },
    mnsEndpoint: mnsEndpoint
      ? httpUrl(mnsEndpoint, "--mns-endpoint")
      : `https://${accountId}.mns.${region}.aliyuncs.com`,
    dlqQueue: values["dlq-queue"] ?? env.DLQ_QUEUE ?? CLOUD_DEFAULTS.dlqQueue,
    sourceQueue: values.queue ?? env.SOURCE_QUEUE ?? CLOUD_DEFAULTS.sourceQueue,
    fc: {
      api: fcApi(values.api ?? env.FC_API),
      endpoint: fcEndpoint
        ? httpUrl(fcEndpoint, "--fc-endpoint")
        : `https://${accountId}.${region}.fc.aliyuncs.com`,
      service: values.service ?? env.FC_SERVICE ?? CLOUD_DEFAULTS.service,
      function: values.function ?? env.FC_FUNCTION ?? CLOUD_DEFAULTS.function,
      ...(qualifier ? { qualifier } : {}),
    },
  };
}
