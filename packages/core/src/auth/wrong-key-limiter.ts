// Wrong ingest keys per client address: past the limit an address is refused (429) before its key
// is looked at. Per server, like the cache it guards.
import { RateLimiterMemory } from 'rate-limiter-flexible';

/**
 * Each wrong key that looks real costs a database lookup and an entry in the key cache, so random
 * keys could push valid ones out of it.
 */
export class WrongKeyLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(private readonly perMinute: number) {
    this.limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  }

  /** How long `address` must wait before its next key is looked up (0: it need not). */
  async waitMs(address: string): Promise<number> {
    const res = await this.limiter.get(address);
    return res && res.consumedPoints >= this.perMinute ? Math.max(1000, res.msBeforeNext) : 0;
  }

  /** Counts one wrong key from `address`. */
  async wrongKey(address: string): Promise<void> {
    await this.limiter.consume(address).catch(() => undefined); // over the limit: counted all the same
  }
}
