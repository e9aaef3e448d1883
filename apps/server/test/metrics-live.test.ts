// metrics.live's batching on the in-process bus with a fake clock (at most one push per 250 ms,
// bounded, filtered, statuses coalesced, one batch object shared), and its WebSocket encoding.
import fc from 'fast-check';
import { jsonEncoder } from '@trpc/server/adapters/ws';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InProcessBus, agentsChannel, metricsChannel } from '@tandem/core';
import type { MetricsLiveBatch } from '@tandem/schema';
import { LIVE_BATCH_MS, MAX_LIVE_POINTS, metricsLive, createLiveFeeds } from '../src/subscriptions/metrics-live.ts';
import { createEventEncoder } from '../src/subscriptions/event-encoder.ts';
import { directStream } from './direct-stream.ts';

describe('metrics.live batching', () => {
  let bus: InProcessBus;
  let abort: AbortController;
  let batches: { at: number; batch: MetricsLiveBatch }[];
  let done: Promise<void>;
  const point = (agentId: string, i: number) => ({ agentId, ts: i, values: { latency_ms: i, cpu_pct: 50 } });

  async function start(filter: Parameters<typeof metricsLive>[2]) {
    const live = directStream(metricsLive(createLiveFeeds(bus), 'w1', filter, async () => [{ agentId: 'a1', status: 'ok', reason: null }], abort.signal));
    const first = await live.next();
    batches = [];
    done = (async () => {
      for await (const batch of live) batches.push({ at: Date.now(), batch });
    })();
    return first.value as MetricsLiveBatch;
  }
  const publish = (points: unknown[]) => bus.publish(metricsChannel('w1'), { points });

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    bus = new InProcessBus();
    abort = new AbortController();
  });
  afterEach(async () => {
    abort.abort();
    await vi.runAllTimersAsync();
    await done;
    vi.useRealTimers();
  });

  it('pushes on the feed\'s ticks, at most every 250 ms, leading edge first, and loses nothing', async () => {
    const t0 = Date.now();
    expect(await start({ agentIds: ['a1'], metrics: ['latency_ms'] })).toEqual({ points: [], statuses: [{ agentId: 'a1', status: 'ok', reason: null }] });
    await vi.advanceTimersByTimeAsync(10);
    await publish([point('a1', 1), point('a2', 1)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches.map((b) => b.at - t0)).toEqual([10]); // the first point after a quiet spell goes at once
    await vi.advanceTimersByTimeAsync(LIVE_BATCH_MS - 10);
    for (let i = 2; i <= 50; i++) {
      await publish([point('a1', i)]);
      await vi.advanceTimersByTimeAsync(5);
    }
    await vi.advanceTimersByTimeAsync(1000);
    await publish([point('a1', 51)]); // quiet for longer than the window: goes out at once
    await vi.advanceTimersByTimeAsync(0);
    // Points 2..50 arrived every 5 ms from t0 + 250 on. The workspace's feed released 2 and 3 at
    // t0 + 260 (250 ms after it released point 1) and the rest at t0 + 510; each went out on its
    // tick. Point 51 after a quiet spell went at once.
    expect(batches.map((b) => b.at - t0)).toEqual([10, 260, 510, 1495]);
    expect(batches.map((b) => b.batch.points.length)).toEqual([1, 2, 47, 1]);
    const points = batches.flatMap((b) => b.batch.points);
    expect(points.map((p) => p.ts)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    // Only a1, only latency_ms.
    expect(points.every((p) => p.agentId === 'a1' && Object.keys(p.values).join() === 'latency_ms')).toBe(true);
  });

  it('keeps subscribers who joined at different times in step with the ticks (one write time per tick for all)', async () => {
    const feeds = createLiveFeeds(bus);
    const at: number[][] = [[], []];
    const join = async (n: number) => {
      const live = directStream(metricsLive(feeds, 'w1', {}, async () => [], abort.signal));
      await live.next();
      return { done: (async () => {
        for await (const _ of live) at[n]!.push(Date.now());
      })() };
    };
    const first = await join(0);
    const stream = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await publish([point('a1', i)]);
        await vi.advanceTimersByTimeAsync(10);
      }
    };
    await stream(0, 20);
    const second = await join(1); // joins 200 ms into the stream, between two ticks
    await stream(20, 200);
    abort.abort();
    await vi.advanceTimersByTimeAsync(0);
    await Promise.all([first.done, second.done]);
    // Every push of the later subscriber is at a time the first one pushed too: same tick, same frame.
    expect(at[1]!.length).toBeGreaterThan(5);
    expect(at[1]!.filter((t) => !at[0]!.includes(t))).toEqual([]);
    const gaps = at[0]!.slice(1).map((t, i) => t - at[0]![i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(LIVE_BATCH_MS);
  });

  it('bounds the buffer between pushes and says how many points it left out', async () => {
    await start({});
    await publish(Array.from({ length: MAX_LIVE_POINTS + 700 }, (_, i) => point('a1', i)));
    await vi.advanceTimersByTimeAsync(LIVE_BATCH_MS);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.batch.points).toHaveLength(MAX_LIVE_POINTS);
    expect(batches[0]!.batch.dropped).toBe(700);
    await publish([point('a1', 1)]);
    await vi.advanceTimersByTimeAsync(LIVE_BATCH_MS);
    expect(batches[1]!.batch).toEqual({ points: [point('a1', 1)], statuses: [] });
  });

  it('keeps the latest status change per agent of the filter', async () => {
    await start({ agentIds: ['a1', 'a2'] });
    await bus.publish(agentsChannel('w1'), { agentId: 'a1', status: 'degraded', reason: 'slow' });
    await bus.publish(agentsChannel('w1'), { agentId: 'a3', status: 'down', reason: 'not in the filter' });
    await bus.publish(agentsChannel('w1'), { agentId: 'a2', status: 'down', reason: 'silent' });
    await bus.publish(agentsChannel('w1'), { agentId: 'a1', status: 'ok', reason: null });
    await vi.advanceTimersByTimeAsync(LIVE_BATCH_MS);
    expect(batches.map((b) => b.batch)).toEqual([{
      points: [],
      statuses: [{ agentId: 'a1', status: 'ok', reason: null }, { agentId: 'a2', status: 'down', reason: 'silent' }],
    }]);
  });

  it('writes subscribers with the same filter the same frame (encoded once)', async () => {
    const feeds = createLiveFeeds(bus); // one server's feeds, shared by its subscribers
    const written: Buffer[][] = [[], [], []];
    let n = 0;
    const pull = async (filter: Parameters<typeof metricsLive>[2]) => {
      const live = directStream(metricsLive(feeds, 'w1', filter, async () => [], abort.signal), written[n++]);
      await live.next();
      return live;
    };
    const [x, y, z] = [await pull({}), await pull({}), await pull({ metrics: ['cpu_pct'] })];
    await publish([point('a1', 1)]);
    const next = Promise.all([x.next(), y.next(), z.next()]);
    await vi.advanceTimersByTimeAsync(LIVE_BATCH_MS);
    const [bx, by, bz] = await next;
    expect(written[0]![0]).toBe(written[1]![0]); // the same bytes, not just equal ones
    expect(written[2]![0]).not.toBe(written[0]![0]);
    expect(by.value).toEqual(bx.value);
    expect(bx.value).toEqual({ points: [point('a1', 1)], statuses: [] });
    expect(bz.value).toEqual({ points: [{ agentId: 'a1', ts: 1, values: { cpu_pct: 50 } }], statuses: [] });
    batches = [];
    done = Promise.all([x.return(undefined), y.return(undefined), z.return(undefined)]).then(() => undefined);
  });

  it('ends when the signal aborts, and stops listening', async () => {
    await start({});
    abort.abort();
    await vi.advanceTimersByTimeAsync(0);
    await done;
    await publish([point('a1', 1)]);
    await vi.advanceTimersByTimeAsync(LIVE_BATCH_MS);
    expect(batches).toEqual([]);
  });
});

describe('WebSocket encoder for metrics.live batches', () => {
  it('encodes an untracked batch exactly as tRPC does, serialising one object once for every socket', () => {
    const encoder = createEventEncoder();
    const message = fc.record({
      id: fc.oneof(fc.integer(), fc.string()),
      jsonrpc: fc.option(fc.constant('2.0' as const), { nil: undefined }),
      data: fc.dictionary(fc.string(), fc.jsonValue()),
    }).map(({ id, jsonrpc, data }) => ({ id, jsonrpc, result: { type: 'data' as const, data } }));
    fc.assert(fc.property(message, (m) => {
      expect(encoder.encode(m)).toBe(jsonEncoder.encode(m));
      expect(encoder.encode({ ...m, id: 'other' })).toBe(jsonEncoder.encode({ ...m, id: 'other' }));
    }));
    const batch = { points: [{ agentId: 'a1', ts: 1, values: { latency_ms: 1 } }], statuses: [] };
    const stringify = vi.spyOn(JSON, 'stringify');
    for (let id = 1; id <= 3; id++) encoder.encode({ id, jsonrpc: undefined, result: { type: 'data', data: batch } });
    expect(stringify.mock.calls.filter(([v]) => v === batch)).toHaveLength(1);
    stringify.mockRestore();
  });
});
