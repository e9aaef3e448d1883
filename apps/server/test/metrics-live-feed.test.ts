// The shared point log behind metrics.live (point-feed.ts): one bus subscription per workspace,
// ticks at most 250 ms apart, one array per filter for readers in step, bounded. Fake clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InProcessBus, metricsChannel } from '@tandem/core';
import { PointFeeds } from '../src/subscriptions/point-feed.ts';

const point = (ts: number, agentId = 'a1') => ({ agentId, ts, values: { latency_ms: ts } });
const opts = { intervalMs: 250, maxPerRead: 10 };

describe('point feed', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('shares one bus subscription per workspace and one array per filter among readers in step', async () => {
    const bus = new InProcessBus();
    const feeds = new PointFeeds(bus, opts);
    const subscribe = vi.spyOn(bus, 'subscribe');
    const a = await feeds.join('w1');
    await bus.publish(metricsChannel('w1'), { points: [point(1)] });
    await vi.advanceTimersByTimeAsync(0);
    expect(a.feed.hasNews(a.reader)).toBe(true); // the first point after a quiet spell is released at once
    expect(a.feed.read(a.reader, null, 'all')).toEqual({ points: [point(1)], dropped: 0 });

    const b = await feeds.join('w1');
    expect(b.feed).toBe(a.feed);
    expect(subscribe).toHaveBeenCalledTimes(1);
    await bus.publish(metricsChannel('w1'), { points: [point(2), point(3, 'a2')] });
    await vi.advanceTimersByTimeAsync(249);
    expect(a.feed.hasNews(a.reader)).toBe(false); // held until 250 ms after the last tick
    await vi.advanceTimersByTimeAsync(1);
    expect(a.feed.hasNews(a.reader) && b.feed.hasNews(b.reader)).toBe(true);
    const forA = a.feed.read(a.reader, null, 'all');
    const forB = b.feed.read(b.reader, null, 'all');
    expect(forA).toEqual({ points: [point(2), point(3, 'a2')], dropped: 0 });
    expect(forB.points).toBe(forA.points);
    const c = await feeds.join('w1');
    c.reader.cursor = a.reader.cursor - 2; // as if it had joined with a and b
    expect(c.feed.read(c.reader, (p) => (p.agentId === 'a1' ? p : null), 'a1')).toEqual({ points: [point(2)], dropped: 0 });
    expect(a.feed.read(a.reader, null, 'all')).toEqual({ points: [], dropped: 0 });

    for (const r of [a, b, c]) r.leave();
    // Everyone left: the next subscriber gets a new feed and a new bus subscription.
    const d = await feeds.join('w1');
    expect(d.feed).not.toBe(a.feed);
    expect(subscribe).toHaveBeenCalledTimes(2);
    await bus.publish(metricsChannel('w1'), { points: [point(4)] });
    await vi.advanceTimersByTimeAsync(0);
    expect(d.feed.read(d.reader, null, 'all').points).toEqual([point(4)]);
    d.leave();
  });

  it('keeps at most twice one read; a reader behind gets the newest and the count of what it missed', async () => {
    const bus = new InProcessBus();
    const feeds = new PointFeeds(bus, opts);
    const slow = await feeds.join('w1');
    for (let i = 0; i < 25; i++) slow.feed.append([point(i)]);
    await vi.advanceTimersByTimeAsync(250);
    const { points, dropped } = slow.feed.read(slow.reader, null, 'all');
    expect(points.map((p) => p.ts)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    expect(dropped).toBe(15);
    slow.leave();
  });
});
