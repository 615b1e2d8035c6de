/** Remembers signature nonces while their request timestamp is still acceptable, to reject replays. */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  private checksSincePurge = 0;

  /** Returns false when the nonce was already used by this access key and has not expired yet. */
  claim(accessKeyId: string, nonce: string, expiresAt: number, now: number): boolean {
    this.purgeOccasionally(now);
    const key = `${accessKeyId}\n${nonce}`;
    const existing = this.seen.get(key);
    if (existing !== undefined && existing > now) return false;
    this.seen.set(key, expiresAt);
    return true;
  }

  private purgeOccasionally(now: number): void {
    this.checksSincePurge += 1;
    if (this.checksSincePurge < 1000) return;
    this.checksSincePurge = 0;
    for (const [key, expiresAt] of this.seen) {
      if (expiresAt <= now) this.seen.delete(key);
    }
  }
}
