/**
 * The function's settings, read from environment variables once per cold start and validated with zod.
 * A bad value stops the cold start with an error that names the variable.
 */
import * as z from "zod";
import { isSupportedPhoneRegion } from "./normalize/index.ts";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const csv = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x !== ""),
  )
  .optional();

const HOST_PORT = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

const EnvSchema = z.object({
  EIAM_INSTANCE_ID: z.string().trim().min(1, "is required (the IDaaS EIAM instance id, idaas_…)"),
  EIAM_ENDPOINT: z.string().trim().regex(HOST_PORT, "must be host[:port] without a scheme").optional(),
  EIAM_PROTOCOL: z.enum(["https", "http"]).default("https"),
  FC_REGION: z.string().trim().min(1).optional(),
  ALIBABA_CLOUD_REGION_ID: z.string().trim().min(1).optional(),
  ALIBABA_CLOUD_ACCESS_KEY_ID: z.string().optional(),
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: z.string().optional(),
  ALIBABA_CLOUD_SECURITY_TOKEN: z.string().optional(),
  EIAM_READ_TIMEOUT_MS: positiveInt(5000),
  EIAM_CONNECT_TIMEOUT_MS: positiveInt(2000),
  EIAM_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  EIAM_RETRY_BASE_MS: positiveInt(100),
  EIAM_RETRY_MAX_MS: positiveInt(2000),
  EIAM_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  EIAM_MAX_QPS: z.coerce.number().positive().default(20),
  DEFAULT_PHONE_REGION: z
    .string()
    .trim()
    .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 country code such as CN")
    .refine(isSupportedPhoneRegion, "is not a country that phone numbers can be read for")
    .optional(),
  DISPLAY_NAME_OVERFLOW: z.enum(["reject", "truncate"]).default("reject"),
  USERNAME_RULE: z.enum(["email-local-part"]).optional(),
  ALLOWED_CUSTOM_FIELDS: csv,
  EMAIL_VERIFIED_SOURCES: csv,
  PHONE_VERIFIED_SOURCES: csv,
  USER_LOOKUP_CACHE_SECONDS: z.coerce.number().int().min(0).default(300),
  DEADLINE_MARGIN_MS: z.coerce.number().int().min(0).default(1500),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  IDEMPOTENCY_STORE: z.enum(["memory", "redis"]).default("memory"),
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\//, "must start with redis:// or rediss://")
    .optional(),
  MEMORY_STORE_MAX_ENTRIES: z.coerce.number().int().min(1).max(10_000_000).default(50_000),
  IDEMPOTENCY_KEY_PREFIX: z.string().trim().min(1).max(128).default("eiam-user-sync:"),
  IDEMPOTENCY_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
  DEAD_LETTER_TOPIC: z.string().trim().min(1).optional(),
  DEAD_LETTER_FILE: z.string().trim().min(1).optional(),
  MNS_ENDPOINT: z
    .string()
    .trim()
    .regex(/^https?:\/\/[^/]+$/, "must be http(s)://host[:port] with no path")
    .optional(),
  MNS_ACCOUNT_ID: z.string().trim().min(1).optional(),
  PAYLOAD_FORMAT: z.enum(["canonical", "cloudevents", "scim", "mapped"]).optional(),
  SENDERS_FILE: z.string().trim().min(1).optional(),
  SOURCE_QUEUE: z.string().trim().min(1).optional(),
  HR_MAPPING_FILE: csv,
  MNS_BODY_ENCODING: z.enum(["auto", "text", "base64"]).default("auto"),
  UNKNOWN_USER: z.enum(["dead-letter", "create"]).default("dead-letter"),
  DEFAULT_ORGANIZATIONAL_UNIT_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be an EIAM organizational unit id such as ou_…")
    .optional(),
  DELETE_MEANS: z.enum(["disable", "delete"]).default("disable"),
});

export type Env = Record<string, string | undefined>;

export interface Config {
  eiam: {
    instanceId: string;
    endpoint: string;
    protocol: "https" | "http";
    readTimeoutMs: number;
    connectTimeoutMs: number;
    retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
    maxConcurrency: number;
    maxQps: number;
  };
  /** Static credentials from the environment; the invocation's STS credentials take precedence. */
  envCredentials?: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  normalize: {
    defaultPhoneRegion?: string;
    displayNameOverflow: "reject" | "truncate";
    usernameRule?: "email-local-part";
    allowedCustomFields?: readonly string[];
    /** Sources whose emails / phone numbers are marked verified when the event does not say; `*`: all. */
    verifiedSources: { email: readonly string[]; phone: readonly string[] };
    deleteMeans: "disable" | "delete";
  };
  lifecycle: {
    /** What an event whose user does not exist does: dead-lettered as UserNotFound, or CreateUser. */
    unknownUser: "dead-letter" | "create";
    /** The primary OU of a created user when the event names none. */
    defaultOrganizationalUnitId?: string;
  };
  userLookupCacheSeconds: number;
  /** Time kept free before the FC deadline to dead-letter or hand back what is left. */
  deadlineMarginMs: number;
  logLevel: "debug" | "info" | "warn" | "error";
  idempotency:
    | { store: "memory"; keyPrefix: string; ttlSeconds: number; maxEntries: number }
    | { store: "redis"; url: string; keyPrefix: string; ttlSeconds: number };
  deadLetter:
    | { kind: "mns"; topic: string; endpoint?: string; accountId?: string; region?: string }
    | { kind: "file"; path: string };
  payloadFormat?: "canonical" | "cloudevents" | "scim" | "mapped";
  /** The HTTP routes file (SENDERS_FILE); without it, one catch-all route with WEBHOOK_AUTH. */
  sendersFile?: string;
  /** The MNS queue `ack: enqueue` routes put deliveries in (the queue trigger's source queue). */
  sourceQueue?: { queue: string; endpoint?: string; accountId?: string; region?: string };
  /** HR webhook mapping files (`HR_MAPPING_FILE`, comma-separated). */
  mappingFiles: readonly string[];
  mnsBodyEncoding: "auto" | "text" | "base64";
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function loadConfig(env: Env): Config {
  const parsed = EnvSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const region = e.FC_REGION ?? e.ALIBABA_CLOUD_REGION_ID;
  const endpoint = e.EIAM_ENDPOINT ?? (region ? `eiam.${region}.aliyuncs.com` : undefined);
  if (endpoint === undefined) {
    throw new ConfigError(
      "invalid configuration:\n  EIAM_ENDPOINT: is required when neither FC_REGION nor ALIBABA_CLOUD_REGION_ID is set",
    );
  }
  let envCredentials: Config["envCredentials"];
  if (e.ALIBABA_CLOUD_ACCESS_KEY_ID || e.ALIBABA_CLOUD_ACCESS_KEY_SECRET) {
    if (!e.ALIBABA_CLOUD_ACCESS_KEY_ID || !e.ALIBABA_CLOUD_ACCESS_KEY_SECRET) {
      throw new ConfigError(
        "invalid configuration:\n  ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET: set both or neither",
      );
    }
    envCredentials = {
      accessKeyId: e.ALIBABA_CLOUD_ACCESS_KEY_ID,
      accessKeySecret: e.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
      ...(e.ALIBABA_CLOUD_SECURITY_TOKEN ? { securityToken: e.ALIBABA_CLOUD_SECURITY_TOKEN } : {}),
    };
  }
  if (e.IDEMPOTENCY_STORE === "redis" && e.REDIS_URL === undefined) {
    throw new ConfigError("invalid configuration:\n  REDIS_URL: is required when IDEMPOTENCY_STORE=redis");
  }
  if (e.DEAD_LETTER_TOPIC !== undefined && e.DEAD_LETTER_FILE !== undefined) {
    throw new ConfigError(
      "invalid configuration:\n  DEAD_LETTER_FILE: set either DEAD_LETTER_TOPIC or DEAD_LETTER_FILE, not both",
    );
  }
  if (e.DEAD_LETTER_TOPIC === undefined && e.DEAD_LETTER_FILE === undefined) {
    throw new ConfigError(
      "invalid configuration:\n  DEAD_LETTER_TOPIC: is required (an MNS topic name; or DEAD_LETTER_FILE for a local JSON-lines file)",
    );
  }
  return {
    idempotency:
      e.IDEMPOTENCY_STORE === "redis"
        ? {
            store: "redis",
            url: e.REDIS_URL!,
            keyPrefix: e.IDEMPOTENCY_KEY_PREFIX,
            ttlSeconds: e.IDEMPOTENCY_TTL_SECONDS,
          }
        : {
            store: "memory",
            keyPrefix: e.IDEMPOTENCY_KEY_PREFIX,
            ttlSeconds: e.IDEMPOTENCY_TTL_SECONDS,
            maxEntries: e.MEMORY_STORE_MAX_ENTRIES,
          },
    deadLetter:
      e.DEAD_LETTER_FILE !== undefined
        ? { kind: "file", path: e.DEAD_LETTER_FILE }
        : {
            kind: "mns",
            topic: e.DEAD_LETTER_TOPIC!,
            endpoint: e.MNS_ENDPOINT,
            accountId: e.MNS_ACCOUNT_ID,
            region,
          },
    payloadFormat: e.PAYLOAD_FORMAT,
    sendersFile: e.SENDERS_FILE,
    ...(e.SOURCE_QUEUE === undefined
      ? {}
      : {
          sourceQueue: {
            queue: e.SOURCE_QUEUE,
            endpoint: e.MNS_ENDPOINT,
            accountId: e.MNS_ACCOUNT_ID,
            region,
          },
        }),
    mappingFiles: e.HR_MAPPING_FILE ?? [],
    mnsBodyEncoding: e.MNS_BODY_ENCODING,
    eiam: {
      instanceId: e.EIAM_INSTANCE_ID,
      endpoint,
      protocol: e.EIAM_PROTOCOL,
      readTimeoutMs: e.EIAM_READ_TIMEOUT_MS,
      connectTimeoutMs: e.EIAM_CONNECT_TIMEOUT_MS,
      retry: {
        maxAttempts: e.EIAM_MAX_ATTEMPTS,
        baseDelayMs: e.EIAM_RETRY_BASE_MS,
        maxDelayMs: e.EIAM_RETRY_MAX_MS,
      },
      maxConcurrency: e.EIAM_MAX_CONCURRENCY,
      maxQps: e.EIAM_MAX_QPS,
    },
    envCredentials,
    normalize: {
      defaultPhoneRegion: e.DEFAULT_PHONE_REGION,
      displayNameOverflow: e.DISPLAY_NAME_OVERFLOW,
      usernameRule: e.USERNAME_RULE,
      allowedCustomFields: e.ALLOWED_CUSTOM_FIELDS,
      verifiedSources: { email: e.EMAIL_VERIFIED_SOURCES ?? [], phone: e.PHONE_VERIFIED_SOURCES ?? [] },
      deleteMeans: e.DELETE_MEANS,
    },
    lifecycle: {
      unknownUser: e.UNKNOWN_USER,
      ...(e.DEFAULT_ORGANIZATIONAL_UNIT_ID
        ? { defaultOrganizationalUnitId: e.DEFAULT_ORGANIZATIONAL_UNIT_ID }
        : {}),
    },
    userLookupCacheSeconds: e.USER_LOOKUP_CACHE_SECONDS,
    deadlineMarginMs: e.DEADLINE_MARGIN_MS,
    logLevel: e.LOG_LEVEL,
  };
}
