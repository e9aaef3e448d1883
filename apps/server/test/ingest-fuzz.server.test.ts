// Property-based fuzzing of POST /api/v1/metrics (fast-check): never a 500, never a partial write;
// the workspace gains exactly the accepted samples on 202 and nothing otherwise.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import { METRIC_FIELDS } from '@tandem/schema';
import { startTestApp, type TestApp } from './harness.ts';
import { sampleCount } from './ingest-helpers.ts';

const modes = await availableModes();
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

const now = Date.now();
const anyNumber = fc.oneof(fc.integer({ min: -10, max: 2_000_000_000 }), fc.double({ noNaN: false }), fc.constantFrom(0, 1, 100, 101, 1e9, -0));
const fieldValue = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 100 }) }, { weight: 2, arbitrary: anyNumber }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
const timestamp = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: now - 3600_000, max: now }) },
  { weight: 1, arbitrary: fc.integer({ min: now - 3600_000, max: now }).map((t) => new Date(t).toISOString()) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.string(), fc.double(), fc.constant(null), fc.integer({ min: 0, max: 2 * now })) },
);
/**
 * Any UTF-16 string: every code point, NUL and the other controls, and lone surrogates (which
 * JSON.stringify sends escaped as \udXXX); PostgreSQL refuses NUL and lone surrogates in jsonb.
 */
const anyUnit = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\t', '\n', '\u0085', '\u202e', '\u0301', '😀') },
);
const anyString = (maxLength: number) => fc.string({ unit: anyUnit, maxLength });
const labels = fc.dictionary(
  fc.oneof(fc.constantFrom('model', 'region', 'v.1'), anyString(70)),
  fc.oneof(fc.string({ maxLength: 30 }), anyString(210), fc.constantFrom('a\u0000b', 'a\ud800b', '\udc00', ' padded '), fc.integer()),
  { maxKeys: 18 },
);
/** Anything shaped like a sample: often invalid somewhere. */
const wildSample = fc.record(
  {
    ts: timestamp,
    ...Object.fromEntries(METRIC_FIELDS.map((f) => [f, fieldValue])),
    labels,
    extra: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
/** A valid sample: recent time, a few in-range fields, tidy labels. */
const validSample = fc.record({
  ts: fc.integer({ min: now - 3600_000, max: now }),
  fields: fc.subarray([...METRIC_FIELDS], { minLength: 1, maxLength: 4 }),
  value: fc.integer({ min: 0, max: 100 }),
  labels: fc.option(fc.dictionary(fc.constantFrom('model', 'region', 'v.1'), fc.oneof({ weight: 8, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: anyString(20) }), { maxKeys: 3 }), { nil: undefined }),
}).map(({ ts, fields, value, labels: l }) => ({ ts, ...Object.fromEntries(fields.map((f) => [f, value])), ...(l ? { labels: l } : {}) }));
const sample = fc.oneof({ weight: 12, arbitrary: validSample }, { weight: 1, arbitrary: wildSample });
const agentName = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom('fuzz-a', 'fuzz.b', 'fuzz:c_1') },
  { weight: 2, arbitrary: anyString(70) },
  { weight: 1, arbitrary: fc.constantFrom('fuzz\u0000', 'fuzz\ud800', 'fuzz-\u202e') },
);

interface Body {
  contentType: string;
  bytes: Buffer;
}
const jsonBody = fc.record({ agent: agentName, samples: fc.array(sample, { maxLength: 12 }) }, { requiredKeys: ['samples'] })
  .map((b): Body => ({ contentType: 'application/json', bytes: Buffer.from(JSON.stringify(b)) }));
const ndjsonBody = fc.array(fc.oneof(
  { weight: 30, arbitrary: fc.tuple(agentName, sample).map(([agent, s]) => JSON.stringify({ agent, ...s })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
), { maxLength: 12 }).map((lines): Body => ({ contentType: 'application/x-ndjson', bytes: Buffer.from(lines.join('\n')) }));
const oddBody = fc.record({
  contentType: fc.constantFrom('application/json', 'application/x-ndjson', 'text/plain', 'application/json; charset=latin1', ''),
  bytes: fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? ''))),
});
const request = fc.record({
  body: fc.oneof({ weight: 4, arbitrary: jsonBody }, { weight: 3, arbitrary: ndjsonBody }, { weight: 2, arbitrary: oddBody }),
  encoding: fc.constantFrom('none', 'none', 'gzip', 'gzip-truncated', 'deflate'),
});

// Inputs: random JSON and NDJSON shapes, near-valid samples, names and labels from the whole of
// Unicode (NUL and lone surrogates included, issue 14), raw bytes, content types and encodings.
describe.each(modes)('ingestion fuzzing (%s)', (mode) => {
  let app: TestApp;
  let workspaceId: string;
  let key: string;
  beforeAll(async () => {
    app = await startTestApp(mode, {}, { workers: false });
    const admin = await app.signUp('Fuzzer');
    workspaceId = admin.workspaceId;
    ({ key } = await app.client(admin.token).ingestKey.create.mutate({ workspaceId, label: 'fuzz' }));
  });
  afterAll(() => app?.close());

  it('answers 202, 400, 413 or 415, and stores exactly what it accepted', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(fc.asyncProperty(request, async ({ body, encoding }) => {
      const headers: Record<string, string> = { authorization: `Bearer ${key}` };
      if (body.contentType) headers['content-type'] = body.contentType;
      let bytes = body.bytes;
      if (encoding === 'gzip' || encoding === 'gzip-truncated') {
        bytes = gzipSync(bytes);
        if (encoding === 'gzip-truncated') bytes = bytes.subarray(0, Math.max(1, bytes.length - 5));
        headers['content-encoding'] = 'gzip';
      } else if (encoding === 'deflate') headers['content-encoding'] = 'deflate';
      const before = await sampleCount(app, workspaceId);
      const res = await fetch(`${app.url}/api/v1/metrics`, { method: 'POST', headers, body: new Uint8Array(bytes) });
      const answer = (await res.json()) as { accepted?: number; problems?: unknown[] };
      const after = await sampleCount(app, workspaceId);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect([202, 400, 413, 415]).toContain(res.status);
      if (res.status === 202) expect(after - before).toBe(answer.accepted);
      else expect(after).toBe(before);
      if (res.status === 400) expect(Array.isArray(answer.problems)).toBe(true);
    }), { numRuns: RUNS });
    // The generators reach both outcomes that matter, not only refusals.
    expect(statuses.get(202) ?? 0).toBeGreaterThan(RUNS / 20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS / 20);
  });
});
