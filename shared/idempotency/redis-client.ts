/**
 * A Redis client that fails fast instead of queueing commands while the server is away, and connects on first
 * use so a cold start does not wait for Redis.
 */
import { Redis } from "ioredis";

export interface FailFastRedisOptions {
  url: string;
  /** Give up on opening the TCP connection after this long. Default 1000 ms. */
  connectTimeoutMs?: number;
  /** Every command (including one waiting for the connection) rejects after this long. Default 1000 ms. */
  commandTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

export function createFailFastRedis(options: FailFastRedisOptions): Redis {
  const redis = new Redis(options.url, {
    lazyConnect: true,
    // The offline queue must stay on: with lazyConnect the first command is queued while it opens the
    // connection. It cannot grow stale: after a second failed connection attempt (maxRetriesPerRequest 1) the
    // queue is flushed with an error, and commandTimeout bounds every command, queued or sent. The one retry
    // lets a command survive a connection that went stale while the instance was frozen between invocations;
    // commands in flight are resent after the reconnect, so every script must be safe to run twice.
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    // CLIENT SETINFO is Redis 7.2+; skipping it saves a round trip and an error on older servers and proxies.
    disableClientInfo: true,
  });
  // Failures reach callers through their rejected commands; without a listener ioredis prints each one.
  redis.on("error", () => {});
  return redis;
}

/** Closes gracefully when connected, at once otherwise (never connects just to say goodbye). */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === "ready") {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  redis.disconnect();
}

/** The client given by the caller (not ours to close), or a new fail-fast one built from the url (ours). */
export function givenOrNewRedis(options: Partial<FailFastRedisOptions> & { redis?: Redis }): {
  redis: Redis;
  owned: boolean;
} {
  if (options.redis) return { redis: options.redis, owned: false };
  if (!options.url) throw new RangeError("url is required when no redis client is given");
  const { url, connectTimeoutMs, commandTimeoutMs } = options;
  return { redis: createFailFastRedis({ url, connectTimeoutMs, commandTimeoutMs }), owned: true };
}
