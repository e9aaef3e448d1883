// The choice of step and source for metrics.query, and the status rule, without a database.
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, SECOND, niceStep, planQuery, planSummary, rawRetainedSince } from '../src/metric-queries/query-plan.ts';
import { decideStatus, formatDuration } from '../src/agents/agent-status.ts';

const NOW = Date.UTC(2026, 10, 23, 12, 34, 56);
const env = { now: NOW, rawRetentionDays: 14 };
const plan = (from: number, to: number, extra: { stepMs?: number; width?: number; series?: number } = {}) =>
  planQuery({ from, to, width: 1200, series: 1, ...extra }, env);

describe('planQuery', () => {
  it('snaps the automatic step up to a nice one, about one bucket per 2 px', () => {
    expect(niceStep(6000)).toBe(10 * SECOND);
    expect(niceStep(MINUTE)).toBe(MINUTE);
    expect(niceStep(2.5 * DAY)).toBe(3 * DAY);
    expect(plan(NOW - HOUR, NOW)).toMatchObject({ stepMs: 10 * SECOND, source: 'raw' });
    expect(plan(NOW - 6 * HOUR, NOW)).toMatchObject({ stepMs: MINUTE, source: 'raw' });
    expect(plan(NOW - 7 * DAY, NOW)).toMatchObject({ stepMs: 30 * MINUTE, source: '1m' });
    expect(plan(NOW - 90 * DAY, NOW)).toMatchObject({ stepMs: 6 * HOUR, source: '1h' });
    expect(plan(NOW - 400 * DAY, NOW, { width: 50 })).toMatchObject({ stepMs: 16 * DAY, source: '1h' });
  });

  it('aligns whole buckets to multiples of the step', () => {
    const p = plan(NOW - HOUR, NOW, { stepMs: MINUTE });
    expect(p.from % MINUTE).toBe(0);
    expect(p.to % MINUTE).toBe(0);
    expect(p.from).toBeLessThanOrEqual(NOW - HOUR);
    expect(p.to).toBeGreaterThanOrEqual(NOW);
    expect((p.to - p.from) / p.stepMs).toBe(61);
  });

  it('keeps at most 5,000 buckets, and fewer as series multiply', () => {
    const fine = plan(NOW - 30 * DAY, NOW, { stepMs: SECOND });
    expect((fine.to - fine.from) / fine.stepMs).toBeLessThanOrEqual(5000);
    const many = plan(NOW - 30 * DAY, NOW, { stepMs: MINUTE, series: 600 });
    expect((many.to - many.from) / many.stepMs * 600).toBeLessThanOrEqual(250_000);
  });

  it('reads raw for fine steps and short recent ranges, rollups otherwise', () => {
    expect(plan(NOW - 3 * HOUR, NOW, { stepMs: 5 * MINUTE }).source).toBe('raw');
    expect(plan(NOW - 7 * HOUR, NOW, { stepMs: 5 * MINUTE }).source).toBe('1m');
    expect(plan(NOW - 7 * HOUR, NOW, { stepMs: HOUR }).source).toBe('1h');
    expect(plan(NOW - 7 * HOUR, NOW, { stepMs: 30 * SECOND }).source).toBe('raw');
    // An odd requested step: raw while raw samples exist, else whole minutes from rollups.
    expect(plan(NOW - 7 * HOUR, NOW, { stepMs: 90 * SECOND }).source).toBe('raw');
    expect(plan(NOW - 20 * DAY, NOW - 19 * DAY, { stepMs: 90 * SECOND })).toMatchObject({ stepMs: 2 * MINUTE, source: '1m' });
  });

  it('asks no raw detail of a range older than raw retention', () => {
    const since = rawRetainedSince(NOW, 14);
    expect(since).toBe(Date.UTC(2026, 10, 10));
    expect(plan(since - HOUR, since, { stepMs: 10 * SECOND })).toMatchObject({ stepMs: MINUTE, source: '1m' });
  });

  it('lets raw samples stand in for the newest rollups', () => {
    const p = plan(NOW - 7 * HOUR, NOW, { stepMs: 5 * MINUTE });
    expect(p.tailFrom).toBe(Math.floor((NOW - 2 * MINUTE) / MINUTE) * MINUTE);
    expect(plan(NOW - 7 * HOUR, NOW, { stepMs: HOUR }).tailFrom).toBe(Math.floor(NOW / HOUR) * HOUR);
    expect(plan(NOW - 20 * DAY, NOW - 19 * DAY, { stepMs: HOUR }).tailFrom).toBe(Math.ceil((NOW - 19 * DAY) / HOUR) * HOUR);
  });
});

describe('planSummary', () => {
  it('is one bucket over the range: raw when short and recent, else rollups over whole minutes or hours', () => {
    expect(planSummary({ from: NOW - 3 * HOUR, to: NOW }, env)).toEqual({ stepMs: 3 * HOUR, source: 'raw', from: NOW - 3 * HOUR, to: NOW, tailFrom: NOW - 3 * HOUR });
    const day = planSummary({ from: NOW - DAY, to: NOW }, env);
    expect(day).toMatchObject({ source: '1m', from: Math.floor((NOW - DAY) / MINUTE) * MINUTE, to: Math.ceil(NOW / MINUTE) * MINUTE });
    expect(day.stepMs).toBe(day.to - day.from);
    expect(day.tailFrom).toBe(Math.floor((NOW - 2 * MINUTE) / MINUTE) * MINUTE);
    expect(planSummary({ from: NOW - 30 * DAY, to: NOW }, env)).toMatchObject({ source: '1h', from: Math.floor((NOW - 30 * DAY) / HOUR) * HOUR });
  });
});

describe('decideStatus', () => {
  const now = new Date(NOW);
  const t = { latencyMs: 500, errorRate: 0.05, downAfterMs: 60_000 };
  const seen = (msAgo: number) => new Date(NOW - msAgo);
  it('is down when silent past downAfterMs or never seen', () => {
    expect(decideStatus({ lastSeenAt: null, p95LatencyMs: null, requests: 0, errors: 0 }, t, now)).toEqual({ status: 'down', reason: 'no samples yet' });
    expect(decideStatus({ lastSeenAt: seen(61_000), p95LatencyMs: 10, requests: 1, errors: 0 }, t, now)).toEqual({ status: 'down', reason: 'no samples for over 1m' });
    expect(decideStatus({ lastSeenAt: seen(60_000), p95LatencyMs: 10, requests: 1, errors: 0 }, t, now).status).toBe('ok');
  });
  it('is degraded above a threshold (strictly), naming each one crossed', () => {
    expect(decideStatus({ lastSeenAt: seen(0), p95LatencyMs: 500, requests: 100, errors: 5 }, t, now)).toEqual({ status: 'ok', reason: null });
    expect(decideStatus({ lastSeenAt: seen(0), p95LatencyMs: 501, requests: 100, errors: 6 }, t, now)).toEqual({
      status: 'degraded', reason: 'p95 latency above 500 ms over the last 5m; error rate above 5% over the last 5m',
    });
    expect(decideStatus({ lastSeenAt: seen(0), p95LatencyMs: 9999, requests: 0, errors: 0 }, { ...t, latencyMs: null }, now).status).toBe('ok');
  });
  it('formats durations for reasons', () => {
    expect([45_000, 125_000, 3 * HOUR + 10 * MINUTE, 2 * DAY].map(formatDuration)).toEqual(['45s', '2m 5s', '3h 10m', '2d']);
  });
});
