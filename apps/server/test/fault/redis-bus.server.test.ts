// docs/reliability.md §4, the bus: a private Redis stopped and started again under two RedisBus
// instances; publishing never throws or hangs, the subscriber resubscribes and is told of the gap.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RedisBus } from '@tandem/core';
import { redisServerAvailable, startRedisWithBuses, type PrivateRedis } from './private-redis.ts';

describe.runIf(redisServerAvailable())('Redis bus across a Redis restart', () => {
  let redis: PrivateRedis;
  let publisher: RedisBus;
  let subscriber: RedisBus;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ redis, publisher, subscriber, close } = await startRedisWithBuses('bus'));
  });
  afterAll(() => close?.());

  // A wake-up must not fail the write it announces; told it may have missed messages, the
  // subscriber re-reads its rows; then messages flow again.
  it('publishes without throwing while Redis is down, resubscribes by itself and reports the gap', async () => {
    const got: number[] = [];
    let gaps = 0;
    await subscriber.subscribe('conv:1', (m) => got.push((m as { n: number }).n), { onGap: () => gaps++ });
    await publisher.publish('conv:1', { n: 1 });
    await vi.waitFor(() => expect(got).toEqual([1]), { timeout: 5000, interval: 20 });

    await redis.stop();
    await expect(publisher.publish('conv:1', { n: 2 })).resolves.toBeUndefined();
    expect(gaps).toBe(0);
    await redis.start();

    await vi.waitFor(() => expect(gaps).toBe(1), { timeout: 15_000, interval: 50 });
    await publisher.publish('conv:1', { n: 3 });
    await vi.waitFor(() => expect(got).toContain(3), { timeout: 15_000, interval: 50 });
    // 2 arrives as a resend if the subscriber was back first; either way nothing is doubled.
    expect(got.filter((n) => n === 1 || n === 3)).toEqual([1, 3]);
    expect(got.filter((n) => n === 2).length).toBeLessThanOrEqual(1);
  });
});
