// metrics.live across a bus outage (docs/reliability.md §4): once Redis is back the next batch says
// `gap` and carries every status again; then points flow as before.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { metricsChannel, type RedisBus } from '@tandem/core';
import type { AgentStatusChange, MetricsLiveBatch } from '@tandem/schema';
import { metricsLive, createLiveFeeds } from '../src/subscriptions/metrics-live.ts';
import { redisServerAvailable, startRedisWithBuses, type PrivateRedis } from './fault/private-redis.ts';
import { directStream } from './direct-stream.ts';

describe.runIf(redisServerAvailable())('metrics.live across a Redis restart', () => {
  let redis: PrivateRedis;
  let publisher: RedisBus;
  let subscriber: RedisBus;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ redis, publisher, subscriber, close } = await startRedisWithBuses('live'));
  });
  afterAll(() => close?.());

  // A private Redis stopped and started again under the subscription. Points published meanwhile
  // may be lost, so the client is told to reload the range; the statuses are read from the database.
  it('says there was a gap and sends every status again once the bus is back', async () => {
    let current: AgentStatusChange = { agentId: 'a1', status: 'ok', reason: null };
    let reads = 0;
    const abort = new AbortController();
    const live = directStream(metricsLive(createLiveFeeds(subscriber), 'w1', {}, async () => (reads++, [current]), abort.signal));
    const batches: MetricsLiveBatch[] = [];
    const done = (async () => {
      for await (const b of live) batches.push(b);
    })();
    await vi.waitFor(() => expect(batches).toHaveLength(1), { timeout: 5000, interval: 20 });
    const point = (ts: number) => ({ agentId: 'a1', ts, values: { latency_ms: ts } });
    await publisher.publish(metricsChannel('w1'), { points: [point(1)] });
    await vi.waitFor(() => expect(batches.flatMap((b) => b.points)).toEqual([point(1)]), { timeout: 5000, interval: 20 });
    expect(batches.some((b) => b.gap)).toBe(false);

    await redis.stop();
    current = { agentId: 'a1', status: 'down', reason: 'no samples for over 1m' }; // changed while the bus was away
    await redis.start();
    await vi.waitFor(() => expect(batches.some((b) => b.gap)).toBe(true), { timeout: 15_000, interval: 50 });
    await vi.waitFor(() => expect(batches.flatMap((b) => b.statuses)).toContainEqual(current), { timeout: 5000, interval: 20 });
    expect(reads).toBe(2);

    await publisher.publish(metricsChannel('w1'), { points: [point(2)] });
    await vi.waitFor(() => expect(batches.flatMap((b) => b.points).map((p) => p.ts)).toContain(2), { timeout: 5000, interval: 20 });
    abort.abort();
    await done;
  });
});
