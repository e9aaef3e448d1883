// Login attempts limited per email and per IP (rate-limiter-flexible; Redis when there is one).
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';

export interface LoginLimits {
  perEmail: number;
  perIp: number;
  /** Account creations per IP per window. */
  registrationsPerIp: number;
  windowSeconds: number;
}
export const LOGIN_LIMITS: LoginLimits = { perEmail: 10, perIp: 50, registrationsPerIp: 20, windowSeconds: 15 * 60 };

export class LoginLimiter {
  private readonly byEmail: RateLimiterAbstract;
  private readonly byIp: RateLimiterAbstract;
  private readonly registrations: RateLimiterAbstract;

  constructor(redis?: Redis, prefix = 'tandem', limits: LoginLimits = LOGIN_LIMITS) {
    const make = (keyPrefix: string, points: number) =>
      redis
        ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:${keyPrefix}`, points, duration: limits.windowSeconds })
        : new RateLimiterMemory({ keyPrefix, points, duration: limits.windowSeconds });
    this.byEmail = make('login-email', limits.perEmail);
    this.byIp = make('login-ip', limits.perIp);
    this.registrations = make('register-ip', limits.registrationsPerIp);
  }

  private async consume(what: string, limiters: [RateLimiterAbstract, string][]): Promise<void> {
    try {
      await Promise.all(limiters.map(([l, key]) => l.consume(key)));
    } catch (res) {
      if (res instanceof RateLimiterRes)
        throw new AppError('TOO_MANY_REQUESTS', `Too many ${what}; try again later`, { retryAfterMs: res.msBeforeNext });
      throw res;
    }
  }

  /** Counts one sign-in attempt; TOO_MANY_REQUESTS with retryAfterMs when over either limit. */
  consumeLogin(email: string, ip: string): Promise<void> {
    return this.consume('sign-in attempts', [[this.byEmail, email], [this.byIp, ip]]);
  }

  consumeRegistration(ip: string): Promise<void> {
    return this.consume('new accounts from this address', [[this.registrations, ip]]);
  }

  /** A successful login clears the email's counter. */
  async reset(email: string): Promise<void> {
    await this.byEmail.delete(email);
  }
}
