/**
 * Additive-increase / multiplicative-decrease of a rate factor in (0, 1], applied on top of a bucket's rate.
 *
 * - `onThrottled(now)` halves the factor (down to `minFactor`). Throttle answers that arrive within
 *   `decreaseCooldownMs` of the last decrease count once: they are the same congestion, reported by requests
 *   that were already in flight.
 * - Afterwards the factor climbs back linearly by `recoveryPerSecond` (of the full rate) per second, e.g.
 *   0.5 → 1 in 5 s with the defaults.
 *
 * Times are epoch milliseconds (Date.now()).
 */
export interface AimdOptions {
  /** Default 0.1. */
  minFactor?: number;
  /** Default 1000 ms. */
  decreaseCooldownMs?: number;
  /** Default 0.1 (10 % of the full rate per second). */
  recoveryPerSecond?: number;
}

export interface Aimd {
  factor(nowMs: number): number;
  /** Returns true if this call lowered the factor (false inside the cooldown). */
  onThrottled(nowMs: number): boolean;
}

export function createAimd(options: AimdOptions = {}): Aimd {
  const minFactor = options.minFactor ?? 0.1;
  const cooldownMs = options.decreaseCooldownMs ?? 1000;
  const recoveryPerSecond = options.recoveryPerSecond ?? 0.1;
  if (!(minFactor > 0 && minFactor <= 1))
    throw new RangeError(`minFactor must be in (0, 1], got ${minFactor}`);
  if (!(cooldownMs >= 0)) throw new RangeError(`decreaseCooldownMs must be >= 0, got ${cooldownMs}`);
  if (!(recoveryPerSecond > 0))
    throw new RangeError(`recoveryPerSecond must be > 0, got ${recoveryPerSecond}`);
  let factorAtDecrease = 1;
  let decreasedAt = Number.NEGATIVE_INFINITY;

  function factor(nowMs: number): number {
    const recovered = (Math.max(0, nowMs - decreasedAt) / 1000) * recoveryPerSecond;
    return Math.min(1, factorAtDecrease + recovered);
  }

  return {
    factor,
    onThrottled(nowMs) {
      if (nowMs - decreasedAt < cooldownMs) return false;
      factorAtDecrease = Math.max(minFactor, factor(nowMs) / 2);
      decreasedAt = nowMs;
      return true;
    },
  };
}
