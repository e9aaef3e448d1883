// The offline assistant's words for an attached range: peak and when, average and low, the first
// rise above the average, start → end; and no figures when the range has no samples.
import { describe, expect, it } from 'vitest';
import { describeMetricRange, metricRefToolArgs } from './metric-ref-answer.ts';

const from = Date.parse('2026-12-03T10:00:00Z');
const ref = { agentId: '0b5b3c1e-4d9f-4a55-9d2e-2f1f6a0c7e11', agentName: 'checkout-bot', metric: 'error_rate' as const, from, to: from + 6 * 60_000 };
const row = (minute: number, v: number | null) => ({ time: new Date(from + minute * 60_000).toISOString(), error_rate: v });

describe('describeMetricRange', () => {
  it('names the peak, average, crossing and change of the range', () => {
    const text = describeMetricRange(ref, { data: { rows: [row(0, 0.01), row(1, 0.01), row(2, null), row(3, 0.01), row(4, 0.2), row(5, 0.3)] }, summary: 'Tool summary.' });
    expect(text).toContain('**error_rate** of **checkout-bot** from 10:00 UTC to 10:06 UTC (5 data points)');
    expect(text).toContain('**Peak:** 30% at 10:05 UTC');
    expect(text).toContain('**Average:** 10.6%; lowest 1% at 10:00 UTC');
    expect(text).toContain('**Crossed above the average** at 10:04 UTC');
    expect(text).toContain('**Start → end:** 1% → 30% (+2900%)');
    expect(text.endsWith('Tool summary.')).toBe(true);
  });

  it('says so when the agent sent nothing in the range', () => {
    expect(describeMetricRange(ref, { data: { rows: [row(0, null)] }, summary: '' })).toMatch(/^There is no data for \*\*error_rate\*\* of \*\*checkout-bot\*\*/);
  });

  it('queries exactly the attached agent (by id), metric and range', () => {
    expect(metricRefToolArgs(ref)).toEqual({ agent: ref.agentId, metric: 'error_rate', from: '2026-12-03T10:00:00.000Z', to: '2026-12-03T10:06:00.000Z', buckets: 48 });
  });
});
