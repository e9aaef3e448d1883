// Login attempts limited per email and per IP (rate-limiter-flexible; Redis when there is one).
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';

export const LOGIN_LIMITS = { perEmail: 10, perIp: 50, windowSeconds: 15 * 60 } as const;

export class LoginLimiter {
  private readonly byEmail: RateLimiterAbstract;
  private readonly byIp: RateLimiterAbstract;

  constructor(redis?: Redis, prefix = 'tandem') {
    const make = (keyPrefix: string, points: number) =>
      redis
        ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:${keyPrefix}`, points, duration: LOGIN_LIMITS.windowSeconds })
        : new RateLimiterMemory({ keyPrefix, points, duration: LOGIN_LIMITS.windowSeconds });
    this.byEmail = make('login-email', LOGIN_LIMITS.perEmail);
    this.byIp = make('login-ip', LOGIN_LIMITS.perIp);
  }

  /** Counts one attempt; throws TOO_MANY_REQUESTS with retryAfterMs when over either limit. */
  async consume(email: string, ip: string): Promise<void> {
    try {
      await Promise.all([this.byEmail.consume(email), this.byIp.consume(ip)]);
    } catch (res) {
      if (res instanceof RateLimiterRes)
        throw new AppError('TOO_MANY_REQUESTS', 'Too many sign-in attempts; try again later', { retryAfterMs: res.msBeforeNext });
      throw res;
    }
  }

  /** A successful login clears the email's counter. */
  async reset(email: string): Promise<void> {
    await this.byEmail.delete(email);
  }
}
