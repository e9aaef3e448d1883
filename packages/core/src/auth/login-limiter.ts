// Sign-in and registration limits (rate-limiter-flexible's login-protection recipe). Only failures
// count: they slow one account from one client address down with a growing wait, never lock it.
import { createHash } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors.ts';
import { signInDelaySeconds, type ClientLimits } from './client-limits.ts';
import type { MakeLimiter } from './limiter-store.ts';

const DAY_SECONDS = 86_400;

/** Emails are not kept in the limiter store, only a digest (and a key of bounded length). */
const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);

function tooMany(message: string, res: RateLimiterRes): AppError {
  const retryAfterMs = Math.max(1000, res.msBeforeNext);
  return new AppError('TOO_MANY_REQUESTS', `${message}; try again in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs });
}

export class SignInLimiter {
  /** Consecutive failures of one account from one address (forgotten a day after the first). */
  private readonly failures: RateLimiterAbstract;
  /** One attempt at a time once failures pass the free ones; blocked for the current wait after it. */
  private readonly gate: RateLimiterAbstract;
  /** Failures per client address per day, whatever the account: stops slow brute force across accounts. */
  private readonly failuresPerAddress: RateLimiterAbstract;
  /** Account creations per client address per hour. */
  private readonly registrations: RateLimiterAbstract;

  constructor(make: MakeLimiter, private readonly limits: ClientLimits) {
    this.failures = make('signin-failures', Number.MAX_SAFE_INTEGER, DAY_SECONDS);
    this.gate = make('signin-gate', 1, 1);
    this.failuresPerAddress = make('signin-address', limits.signInFailuresPerAddressPerDay, DAY_SECONDS);
    this.registrations = make('register-address', limits.registrationsPerAddressPerHour, 3600);
  }

  /**
   * Runs `verify` (which throws UNAUTHORIZED for a wrong password) unless this account has failed
   * too often from `address` lately (TOO_MANY_REQUESTS with the wait) or `address` has failed too
   * often today. An attempt counts as a failure from the start, so guesses sent in parallel see
   * each other; a success takes its count back and clears the account's failures from `address`.
   */
  async signIn<T>(email: string, address: string, verify: () => Promise<T>): Promise<T> {
    const key = `${accountKey(email)}:${address}`;
    const [gate, today] = await Promise.all([this.gate.get(key), this.failuresPerAddress.get(address)]);
    if (gate && gate.consumedPoints > 1) throw tooMany('Too many failed sign-ins to this account from your address', gate);
    if (today && today.consumedPoints >= this.limits.signInFailuresPerAddressPerDay)
      throw tooMany('Too many failed sign-ins from your address today', today);

    const failures = (await this.failures.consume(key)).consumedPoints;
    const giveBack = async (gated: boolean, countedForAddress: boolean) => {
      await Promise.all([
        this.failures.reward(key),
        countedForAddress ? this.failuresPerAddress.reward(address) : null,
        gated ? this.gate.delete(key) : null,
      ]);
    };
    try {
      await this.failuresPerAddress.consume(address);
    } catch (res) {
      await giveBack(false, false);
      throw res instanceof RateLimiterRes ? tooMany('Too many failed sign-ins from your address today', res) : res;
    }
    const delay = signInDelaySeconds(failures, this.limits);
    if (delay > 0) {
      try {
        await this.gate.consume(key);
      } catch (res) {
        await giveBack(false, true);
        throw res instanceof RateLimiterRes ? tooMany('Too many failed sign-ins to this account from your address', res) : res;
      }
      // The next attempt waits `delay`, whatever this one's outcome: a success clears it below.
      await this.gate.block(key, delay);
    }

    let result: T;
    try {
      result = await verify();
    } catch (err) {
      // Only a wrong email or password is a failure; an outage is not the caller's doing.
      if (!(err instanceof AppError && err.code === 'UNAUTHORIZED')) await giveBack(delay > 0, true).catch(() => undefined);
      // The wait runs from the answer, not from the start of the attempt: a slow password check
      // (scrypt on a busy machine can take longer than the first 1 s wait) must not use it up.
      else if (delay > 0) await this.gate.block(key, delay);
      throw err;
    }
    await Promise.all([this.failures.delete(key), this.gate.delete(key), this.failuresPerAddress.reward(address)]);
    return result;
  }

  /** Counts one account creation from `address`; TOO_MANY_REQUESTS past the hourly limit. */
  async register(address: string): Promise<void> {
    try {
      await this.registrations.consume(address);
    } catch (res) {
      throw res instanceof RateLimiterRes ? tooMany('Too many new accounts from your address', res) : res;
    }
  }
}
