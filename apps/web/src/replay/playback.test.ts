import { describe, expect, it } from 'vitest';
import { COMPRESSED_GAP_MS, entriesBy, formatPlayback, makeTimeline, realTimeAt } from './playback.ts';

describe('replay playback clock', () => {
  const T = 1_700_000_000_000;

  it('plays short steps at their real pace and compresses quiet gaps, saying how much it skipped', () => {
    const t = makeTimeline([T, T + 500, T + 1500, T + 3_600_000, T + 3_600_400]);
    expect(t.playAt).toEqual([0, 500, 1500, 1500 + COMPRESSED_GAP_MS, 1900 + COMPRESSED_GAP_MS]);
    expect(t.duration).toBe(1900 + COMPRESSED_GAP_MS);
    expect(t.compressed).toEqual({ gaps: 1, skippedMs: 3_600_000 - 1500 - COMPRESSED_GAP_MS });
  });

  it('counts the entries that have happened, including those exactly at the position', () => {
    const t = makeTimeline([T, T, T + 1000]);
    expect(entriesBy(t, -1)).toBe(0);
    expect(entriesBy(t, 0)).toBe(2);
    expect(entriesBy(t, 999)).toBe(2);
    expect(entriesBy(t, 1000)).toBe(3);
    expect(entriesBy(t, 10_000)).toBe(3);
  });

  it('maps playback time to real time linearly inside a step, across a compressed gap too', () => {
    const t = makeTimeline([T, T + 1000, T + 61_000]);
    expect(realTimeAt(t, 500)).toBe(T + 500);
    // The 60 s gap plays in 2 s: half-way through it is half-way through the minute.
    expect(realTimeAt(t, 1000 + COMPRESSED_GAP_MS / 2)).toBe(T + 31_000);
    expect(realTimeAt(t, t.duration)).toBe(T + 61_000);
    expect(realTimeAt(makeTimeline([]), 0)).toBe(0);
  });

  it('never runs backwards when a later row carries an earlier time', () => {
    const t = makeTimeline([T + 1000, T, T + 2000]);
    expect(t.realAt).toEqual([T + 1000, T + 1000, T + 2000]);
    expect(t.playAt).toEqual([0, 0, 1000]);
  });

  it('formats positions as m:ss.t', () => {
    expect(formatPlayback(0)).toBe('0:00.0');
    expect(formatPlayback(65_480)).toBe('1:05.4');
  });
});
