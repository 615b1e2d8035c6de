/** Registers a Lua script on a client (EVALSHA, falling back to EVAL once per connection) and calls it typed. */
import type { Redis } from "ioredis";

export type RedisScript = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

export function defineScript(redis: Redis, name: string, lua: string, numberOfKeys: number): RedisScript {
  redis.defineCommand(name, { lua, numberOfKeys });
  const command: unknown = Reflect.get(redis, name);
  if (typeof command !== "function") throw new Error(`ioredis did not define the script command ${name}`);
  return async (keys, args) => {
    if (keys.length !== numberOfKeys) throw new RangeError(`script ${name} takes ${numberOfKeys} key(s)`);
    const reply: unknown = await command.apply(redis, [...keys, ...args]);
    return reply;
  };
}
