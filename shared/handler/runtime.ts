/**
 * Everything built once per cold start from the configuration: the clients, the stores and the settings.
 * A bad setting fails here, before the first event, with an error that names the variable.
 */
import { readFileSync } from "node:fs";
import { parseWebhookAuthSettings } from "../auth/config.ts";
import type { WebhookAuthSettings } from "../auth/verify.ts";
import { type Config, ConfigError, type Env, loadConfig } from "../config.ts";
import { FileDeadLetterPublisher } from "../dead-letter/file-publisher.ts";
import { MnsDeadLetterPublisher } from "../dead-letter/mns-publisher.ts";
import type { DeadLetterPublisher } from "../dead-letter/publisher.ts";
import { Door } from "../door/door.ts";
import { catchAllRoute, type Route, RouteTable, routesFromFile } from "../door/route-table.ts";
import { MnsSourceQueue, type SourceQueue, sourceQueueEndpoint } from "../door/source-queue.ts";
import { EiamClientPool } from "../eiam/client.ts";
import type { EiamCredentials } from "../eiam/types.ts";
import { loadMappingConfig } from "../formats/mapping-config.ts";
import { createMemoryStore } from "../idempotency/memory-store.ts";
import { createFailFastRedis } from "../idempotency/redis-client.ts";
import { createRedisStore } from "../idempotency/redis-store.ts";
import type { IdempotencyStore } from "../idempotency/store.ts";
import { createLogger, type Logger } from "../log.ts";
import type { NormalizeOptions } from "../normalize/index.ts";
import type { PrepareOptions } from "../pipeline/prepare.ts";
import { bucketWithin, type RateLimiter } from "../rate-limit/limiter.ts";
import { createMemoryBucket } from "../rate-limit/memory-bucket.ts";
import { createRedisBucket } from "../rate-limit/redis-bucket.ts";

export interface Runtime {
  config: Config;
  logger: Logger;
  pool: EiamClientPool;
  store: IdempotencyStore;
  limiter: RateLimiter;
  /** The dead-letter publisher for the invocation's credentials (the MNS one signs with them). */
  deadLetters: (credentials: EiamCredentials) => DeadLetterPublisher;
  /** The HTTP trigger's routes: authentication, handshakes, decryption and format choice (shared/door/). */
  door: Door;
  /** The source queue for `ack: enqueue` routes (SOURCE_QUEUE), for the invocation's credentials. */
  sourceQueue?: (credentials: EiamCredentials) => SourceQueue;
  prepare: PrepareOptions;
  now: () => number;
}

export interface RuntimeOverrides {
  logger?: Logger;
  deadLetters?: DeadLetterPublisher;
  store?: IdempotencyStore;
  limiter?: RateLimiter;
  now?: () => number;
  sourceQueue?: SourceQueue;
}

function deadLetterPublishers(config: Config): (credentials: EiamCredentials) => DeadLetterPublisher {
  const target = config.deadLetter;
  if (target.kind === "file") {
    const file = new FileDeadLetterPublisher(target.path);
    return () => file;
  }
  if (target.accountId === undefined) {
    throw new ConfigError("invalid configuration:\n  MNS_ACCOUNT_ID: is required with DEAD_LETTER_TOPIC");
  }
  const options = {
    accountId: target.accountId,
    topic: target.topic,
    endpoint: target.endpoint,
    region: target.region,
  };
  let last: { key: string; publisher: DeadLetterPublisher } | undefined;
  return (credentials) => {
    const key = `${credentials.accessKeyId}\n${credentials.securityToken ?? ""}`;
    if (last?.key !== key) last = { key, publisher: new MnsDeadLetterPublisher(options, credentials) };
    return last.publisher;
  };
}

function sourceQueues(config: Config): Runtime["sourceQueue"] {
  const options = config.sourceQueue;
  if (options === undefined) return undefined;
  const target = sourceQueueEndpoint(options);
  if (typeof target === "string") throw new ConfigError(`invalid configuration:\n  SOURCE_QUEUE: ${target}`);
  let last: { key: string; queue: SourceQueue } | undefined;
  return (credentials) => {
    const key = `${credentials.accessKeyId}\n${credentials.securityToken ?? ""}`;
    if (last?.key !== key) last = { key, queue: new MnsSourceQueue({ ...options, ...target }, credentials) };
    return last.queue;
  };
}

/** One or several mapping files (each one mapping or an array of them), as one configuration. */
function loadMappings(files: readonly string[]) {
  const mappings = files.flatMap((file) => {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      throw new ConfigError(
        `invalid configuration:\n  HR_MAPPING_FILE: cannot read ${file}: ${(err as Error).message}`,
      );
    }
    return Array.isArray(json) ? json : [json];
  });
  try {
    return loadMappingConfig(mappings);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  HR_MAPPING_FILE: ${(err as Error).message}`);
  }
}

/**
 * Webhook verification must be chosen explicitly. Left unset (a function fed only by queues), HTTP deliveries
 * are refused; set to a bad value, the cold start fails like any other bad setting.
 */
function webhookAuth(
  env: Env,
  logger: Logger,
): { ok: true; settings: WebhookAuthSettings } | { ok: false; reason: string } {
  if (!env.WEBHOOK_AUTH?.trim()) {
    const reason = "WEBHOOK_AUTH is not set (standard-webhooks, hmac-sha256 or none)";
    logger.warn(`HTTP trigger deliveries will be refused: ${reason}`);
    return { ok: false, reason };
  }
  let settings: WebhookAuthSettings;
  try {
    settings = parseWebhookAuthSettings(env);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  ${(err as Error).message}`);
  }
  if (settings.mode === "none") {
    logger.warn(
      "webhook signature verification is OFF (WEBHOOK_AUTH=none): only use it behind FC's function auth",
    );
  }
  return { ok: true, settings };
}

/** SENDERS_FILE's routes; the file must be readable JSON, each broken route is named (and answers 500). */
function routesFile(file: string, env: Env, config: Config, mappingNames: readonly string[]): Route[] {
  if (env.WEBHOOK_AUTH?.trim()) {
    throw new ConfigError(
      "invalid configuration:\n  WEBHOOK_AUTH: applies only without SENDERS_FILE; each route names its auth in the file",
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError(
      `invalid configuration:\n  SENDERS_FILE: cannot read ${file}: ${(err as Error).message}`,
    );
  }
  try {
    return routesFromFile(document, { env, mappingNames, hasSourceQueue: config.sourceQueue !== undefined });
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  SENDERS_FILE: ${(err as Error).message}`);
  }
}

function buildDoor(env: Env, config: Config, logger: Logger, mappingNames: readonly string[]): Door {
  const routes =
    config.sendersFile === undefined
      ? [catchAllRoute(webhookAuth(env, logger))]
      : routesFile(config.sendersFile, env, config, mappingNames);
  const door = new Door(new RouteTable(routes), logger);
  if (config.sendersFile !== undefined) door.reportBrokenRoutes();
  return door;
}

export function createRuntime(env: Env, overrides: RuntimeOverrides = {}): Runtime {
  const config = loadConfig(env);
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const idem = config.idempotency;
  // One Redis connection for the store and the fleet-wide rate limit.
  const redis = idem.store === "redis" ? createFailFastRedis({ url: idem.url }) : undefined;
  const store =
    overrides.store ??
    (redis
      ? createRedisStore({ redis, keyPrefix: idem.keyPrefix })
      : createMemoryStore({
          keyPrefix: idem.keyPrefix,
          recordTtlSeconds: idem.ttlSeconds,
          maxEntries: idem.store === "memory" ? idem.maxEntries : undefined,
        }));
  const rate = bucketWithin(config.eiam.maxQps);
  const limiter =
    overrides.limiter ??
    (redis
      ? createRedisBucket({ redis, key: `${idem.keyPrefix}rate:eiam`, ...rate })
      : createMemoryBucket(rate));

  const normalize: NormalizeOptions = {
    displayNameOverflow: config.normalize.displayNameOverflow,
    verifiedSources: config.normalize.verifiedSources,
    ...(config.normalize.defaultPhoneRegion
      ? { defaultPhoneRegion: config.normalize.defaultPhoneRegion as NormalizeOptions["defaultPhoneRegion"] }
      : {}),
    ...(config.normalize.usernameRule ? { usernameRule: config.normalize.usernameRule } : {}),
    ...(config.normalize.allowedCustomFields
      ? { allowedCustomFields: config.normalize.allowedCustomFields }
      : {}),
    deleteMeans: config.normalize.deleteMeans,
  };
  const prepare: PrepareOptions = {
    normalize,
    ...(config.payloadFormat ? { format: config.payloadFormat } : {}),
    ...(config.mappingFiles.length > 0 ? { mapping: loadMappings(config.mappingFiles) } : {}),
    lifecycle: { ...config.lifecycle, lookupCacheMs: config.userLookupCacheSeconds * 1000 },
  };

  const door = buildDoor(env, config, logger, prepare.mapping?.mappings.map((m) => m.name) ?? []);

  return {
    config,
    logger,
    pool: new EiamClientPool({
      endpoint: config.eiam.endpoint,
      protocol: config.eiam.protocol,
      instanceId: config.eiam.instanceId,
      readTimeoutMs: config.eiam.readTimeoutMs,
      connectTimeoutMs: config.eiam.connectTimeoutMs,
    }),
    store,
    limiter,
    deadLetters: overrides.deadLetters ? () => overrides.deadLetters! : deadLetterPublishers(config),
    door,
    ...(overrides.sourceQueue
      ? { sourceQueue: () => overrides.sourceQueue! }
      : config.sourceQueue
        ? { sourceQueue: sourceQueues(config) }
        : {}),
    prepare,
    now: overrides.now ?? Date.now,
  };
}
