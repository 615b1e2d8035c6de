import { describe, expect, it } from "vitest";
import { EiamError } from "../../shared/eiam/errors.ts";
import { backoffDelay, RetriesExhausted, withRetry } from "../../shared/eiam/retry.ts";

const policy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 };
const retryable = () => new EiamError("ServiceUnavailable", "down", true, 503);
const permanent = () => new EiamError("EntityNotExists.User", "gone", false, 404);

describe("withRetry", () => {
  it("retries retryable errors until success", async () => {
    let calls = 0;
    const { value, attempts } = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw retryable();
        return "ok";
      },
      policy,
      { deadlineMs: Date.now() + 10_000 },
    );
    expect([value, attempts, calls]).toEqual(["ok", 3, 3]);
  });

  it("never retries a permanent error", async () => {
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls += 1;
        throw permanent();
      },
      policy,
      { deadlineMs: Date.now() + 10_000 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhausted);
    expect((err as RetriesExhausted).reason).toBe("permanent");
    expect(calls).toBe(1);
  });

  it("stops at maxAttempts", async () => {
    let calls = 0;
    const err = (await withRetry(
      async () => {
        calls += 1;
        throw retryable();
      },
      policy,
      { deadlineMs: Date.now() + 10_000 },
    ).catch((e: unknown) => e)) as RetriesExhausted;
    expect([err.reason, err.attempts, calls]).toEqual(["attempts", 4, 4]);
    expect(err.last.code).toBe("ServiceUnavailable");
  });

  it("does not start an attempt past the deadline", async () => {
    let calls = 0;
    const err = (await withRetry(
      async () => {
        calls += 1;
        throw retryable();
      },
      { maxAttempts: 100, baseDelayMs: 1000, maxDelayMs: 1000 },
      { deadlineMs: Date.now() + 100, random: () => 1 },
    ).catch((e: unknown) => e)) as RetriesExhausted;
    expect(err.reason).toBe("deadline");
    expect(calls).toBe(1);
  });

  it("uses full jitter under an exponential ceiling", () => {
    const p = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(p, 1, () => 0.999)).toBe(99);
    expect(backoffDelay(p, 3, () => 0.5)).toBe(200);
    expect(backoffDelay(p, 8, () => 0.999)).toBe(999);
    expect(backoffDelay(p, 8, () => 0)).toBe(0);
  });
});
