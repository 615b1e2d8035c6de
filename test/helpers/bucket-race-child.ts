/** Child process for the shared-bucket race: several loops acquire as fast as the bucket allows for a while. */
import { createRedisBucket } from "../../shared/rate-limit/redis-bucket.ts";
import { waitForGo } from "./race-children.ts";

const [url, key, rate, burst, durationText, loopsText] = process.argv.slice(2);
if (!url || !key || !rate || !burst || !durationText || !loopsText) {
  throw new Error("usage: bucket-race-child <url> <key> <rate> <burst> <durationMs> <loops>");
}

const bucket = createRedisBucket({ url, key, ratePerSecond: Number(rate), burst: Number(burst) });
await waitForGo();
const startedAt = Date.now();
const deadline = startedAt + Number(durationText);
const grantTimes: number[] = [];
await Promise.all(
  Array.from({ length: Number(loopsText) }, async () => {
    while (Date.now() < deadline) {
      if (await bucket.acquire(deadline)) grantTimes.push(Date.now());
    }
  }),
);
await bucket.close();
process.stdout.write(`${JSON.stringify({ startedAt, grantTimes })}\n`);
