// What the dashboard's numbers read like, and that its aggregates per metric agree with the
// server's rule in @tandem/schema (the client keeps a copy to leave zod out of its bundle).
import { METRIC_NAMES, metricAggregates } from '@tandem/schema';
import { describe, expect, it } from 'vitest';
import { aggregatesOf, formatDuration, formatMs, formatStep, formatUsd, formatUsdTick, METRIC_LABELS, metricFormat, PANELS } from './panels.ts';

describe('aggregatesOf', () => {
  it.each(METRIC_NAMES)('%s: the same aggregates as the schema allows', (metric) => {
    expect(aggregatesOf(metric)).toEqual([...metricAggregates(metric)]);
  });

  it('offers only aggregates the schema allows on every panel', () => {
    for (const panel of PANELS) for (const agg of panel.aggs) expect(metricAggregates(panel.metric)).toContain(agg);
  });
});

describe('METRIC_LABELS', () => {
  it('names every metric a rule can pick', () => {
    expect(Object.keys(METRIC_LABELS).sort()).toEqual([...METRIC_NAMES].sort());
  });
});

describe('formatMs', () => {
  it.each([
    [12.4, '12 ms'],
    [999.6, '1000 ms'],
    [1000, '1.00 s'],
    [2345, '2.35 s'],
    [12_345, '12.3 s'],
  ])('%d → %s', (ms, text) => expect(formatMs(ms)).toBe(text));
});

describe('formatUsd', () => {
  it('says "less than" for amounts under a hundredth of a cent', () => {
    expect(formatUsd(0.00004)).toBe('< $0.0001');
    expect(formatUsd(-0.00004)).toBe('> −$0.0001');
  });
});

describe('formatUsdTick', () => {
  it('gives every tick of an axis the decimals its spacing needs, at least cents', () => {
    expect([0.0025, 0.005, 0.0075].map((v) => formatUsdTick(v, 0.0025))).toEqual(['$0.0025', '$0.0050', '$0.0075']);
    expect(formatUsdTick(20, 10)).toBe('$20.00');
    expect(formatUsdTick(0.5, 0.1)).toBe('$0.50');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [90_000, '1 min 30 s'],
    [5 * 60_000, '5 min'],
    [5_400_000, '1 h 30 min'],
    [86_400_000 + 1000, '1 d 1 s'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('formatStep', () => {
  it.each([
    [5000, '5 s'],
    [60_000, '1 min'],
    [3600_000, '1 h'],
    [86_400_000, '1 d'],
    [90_000, '90 s'],
  ])('%d ms → %s', (ms, text) => expect(formatStep(ms)).toBe(text));
});

describe('metricFormat', () => {
  it("uses the metric's panel format, and a compact number for metrics without a panel", () => {
    expect(metricFormat('latency_ms')(2500)).toBe('2.50 s');
    expect(metricFormat('requests')(1500)).toBe(new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(1500));
  });
});
