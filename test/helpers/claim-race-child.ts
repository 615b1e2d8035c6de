/** Child process for the cross-process claim race: claims every key once, in its own order, all at once. */
import { createRedisStore } from "../../shared/idempotency/redis-store.ts";
import { waitForGo } from "./race-children.ts";

const [url, keyPrefix, keyCountText] = process.argv.slice(2);
if (!url || !keyPrefix || !keyCountText)
  throw new Error("usage: claim-race-child <url> <keyPrefix> <keyCount>");

const store = createRedisStore({ url, keyPrefix, commandTimeoutMs: 5000 });
// Open the connection before the start signal so every child races on equal terms.
await store.readFields("warm-up", ["x"]);
const keys = Array.from({ length: Number(keyCountText) }, (_, i) => `race-${i}`).sort(
  () => Math.random() - 0.5,
);
await waitForGo();
const now = Date.now();
const results = await Promise.all(keys.map((key) => store.claim(key, "same-payload", now + 60_000, now)));
const claimed = keys.filter((_, i) => results[i]?.kind === "claimed");
await store.close();
process.stdout.write(`${JSON.stringify({ claimed })}\n`);
