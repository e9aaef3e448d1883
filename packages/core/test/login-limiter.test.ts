// The sign-in wait, with rate-limiter-flexible's in-memory store (the stores themselves are
// covered by apps/server/test/security-sign-in.server.test.ts in both modes).
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { SignInLimiter } from '../src/auth/login-limiter.ts';
import { CLIENT_LIMITS } from '../src/auth/client-limits.ts';

const limiter = () =>
  new SignInLimiter((name, points, duration) => new RateLimiterMemory({ keyPrefix: name, points, duration }), { ...CLIENT_LIMITS, freeSignInFailures: 1 });
const wrong = (ms: number) => async () => {
  await sleep(ms);
  throw new AppError('UNAUTHORIZED', 'Wrong email or password');
};
const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (err: unknown) => (err as AppError).code);

describe('sign-in wait', () => {
  it('runs from the answer of the failed attempt, so a slow password check does not use it up', async () => {
    const l = limiter();
    expect(await codeOf(l.signIn('a@example.com', '203.0.113.1', wrong(0)))).toBe('UNAUTHORIZED'); // free
    // Over the free failures: the next attempt waits 1 s; this one's check takes longer than that.
    expect(await codeOf(l.signIn('a@example.com', '203.0.113.1', wrong(1300)))).toBe('UNAUTHORIZED');
    expect(await codeOf(l.signIn('a@example.com', '203.0.113.1', wrong(0)))).toBe('TOO_MANY_REQUESTS');
    // Another address is not slowed.
    expect(await codeOf(l.signIn('a@example.com', '198.51.100.1', async () => 'ok'))).toBe('OK');
  });
});
