// The fast sample check never accepts what the zod schema refuses (property), and does accept the
// common shapes, so large bodies skip zod; parseIngestBody answers the same either way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METRIC_FIELDS, metricSampleSchema } from '@tandem/schema';
import { isPlainValidSample } from './sample-check.ts';
import { parseIngestBody } from './ingest-body.ts';

// Mostly in range (so the property is not vacuous), with boundaries, odd numbers and non-numbers.
const number = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 100 }) },
  { weight: 2, arbitrary: fc.constantFrom(0, -0, 100, 100.0001, 86_400_000, 86_400_001, 1e8, 1e8 + 1, 1e9, 1e9 + 1, 2 ** 53, 1.5, -1) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
);
const labelName = fc.oneof(fc.constantFrom('model', 'a.b', 'x:y-z_1', '', '__proto__', 'x'.repeat(64), 'x'.repeat(65), 'sp ace', 'ünï'), fc.string({ maxLength: 70 }));
const labels = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(labelName, fc.oneof(fc.string({ maxLength: 210 }), fc.integer(), fc.constant(null)), { maxKeys: 18 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
);
const wild = fc.record({
  ts: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -1, max: 2 ** 53 + 2 }) }, { weight: 1, arbitrary: fc.oneof(fc.double(), fc.string(), fc.constant('2026-11-23T10:00:00Z')) }),
  ...Object.fromEntries(METRIC_FIELDS.map((f) => [f, number])),
  labels,
  agent: fc.string({ maxLength: 5 }),
  other: fc.jsonValue({ maxDepth: 1 }),
}, { requiredKeys: [] });
/** Near the common shape: a valid time, a few fields, labels with edge-case names and values. */
const near = fc.record({
  ts: fc.integer({ min: 0, max: 2 ** 53 - 1 }),
  fields: fc.subarray([...METRIC_FIELDS], { maxLength: 4 }),
  values: fc.array(number, { minLength: 4, maxLength: 4 }),
  labels: fc.option(fc.dictionary(fc.constantFrom('model', 'a.b', 'x:y-z_1', '', '__proto__', 'x'.repeat(64), 'x'.repeat(65), 'sp ace'), fc.oneof(fc.string({ maxLength: 30 }), fc.constant('v'.repeat(201)), fc.integer())), { nil: undefined }),
  agent: fc.option(fc.constant('bot'), { nil: undefined }),
}).map(({ ts, fields, values, labels: l, agent }) => ({
  ts, ...Object.fromEntries(fields.map((f, i) => [f, values[i]])), ...(l ? { labels: l } : {}), ...(agent ? { agent } : {}),
}));
const sampleLike = fc.oneof({ weight: 3, arbitrary: near }, { weight: 1, arbitrary: wild })
  .map((s) => JSON.parse(JSON.stringify(s)) as Record<string, unknown>); // as JSON.parse hands them over

describe('isPlainValidSample', () => {
  it('accepts nothing the schema refuses, and what it accepts the schema returns unchanged', () => {
    let accepted = 0;
    fc.assert(fc.property(sampleLike, (s) => {
      const { agent: _agent, ...rest } = s;
      for (const [input, extra] of [[s, undefined], [rest, 'agent']] as const) {
        if (!isPlainValidSample(extra ? s : input, extra)) continue;
        accepted++;
        const parsed = metricSampleSchema.safeParse(input);
        expect(parsed.success, JSON.stringify(input)).toBe(true);
        expect(parsed.data).toEqual(input);
      }
    }), { numRuns: 5000 });
    expect(accepted).toBeGreaterThan(100);
  });

  it('accepts the common shapes', () => {
    const sample = { ts: Date.now(), latency_ms: 812, tokens_in: 1200, tokens_out: 310, cost_usd: 0.0042, cpu_pct: 37.5, gpu_pct: 12, memory_mb: 812, requests: 1, errors: 0, labels: { model: 'gpt-4o-mini' } };
    expect(isPlainValidSample(sample)).toBe(true);
    expect(isPlainValidSample({ ...sample, agent: 'a' }, 'agent')).toBe(true);
    expect(isPlainValidSample({ ts: 1, errors: 0 })).toBe(true);
    expect(isPlainValidSample({ ts: 1 })).toBe(false);
    expect(isPlainValidSample({ ts: 1, cpu_pct: 101 })).toBe(false);
  });
});

describe('parseIngestBody', () => {
  it('answers the same with and without the fast path (ISO times take the zod path)', () => {
    const now = Date.now();
    const viaFast = parseIngestBody('json', JSON.stringify({ agent: 'a', samples: [{ ts: now, latency_ms: 1 }] }), now);
    const viaZod = parseIngestBody('json', JSON.stringify({ agent: 'a', samples: [{ ts: new Date(now).toISOString(), latency_ms: 1 }] }), now);
    expect(viaFast).toEqual(viaZod);
    expect(viaFast).toEqual({ ok: true, samples: [{ ts: now, latency_ms: 1, agent: 'a' }] });
  });
});
