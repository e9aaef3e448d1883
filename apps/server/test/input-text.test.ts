// Issue 14: every string that enters through a procedure or a REST body is one of the text types of
// @tandem/schema (no bare z.string() at a boundary), so each refuses what the database cannot take.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ingestBodySchema, ingestLineSchema, metricSampleSchema, singleLineText } from '@tandem/schema';
import { routerProcedures, walkInput, walkRouter } from './input-schemas.ts';

// The text types refuse NUL, control characters and broken surrogates, and count limits in characters.
describe('input text types', () => {
  it('finds every procedure of appRouter and its input', () => {
    const procedures = routerProcedures();
    expect(procedures.length).toBeGreaterThan(30);
    expect(procedures.map((p) => p.path)).toEqual(expect.arrayContaining(['auth.register', 'conversation.send', 'metrics.live', 'alert.events']));
    expect(walkRouter().texts.map((t) => `${t.procedure} ${t.path}`)).toEqual(expect.arrayContaining([
      'auth.register name', 'auth.register email', 'auth.register password', 'conversation.rename title', 'conversation.send content',
    ]));
  });

  it('no procedure input admits a bare string', () => {
    expect(walkRouter().bare).toEqual([]);
  });

  it('no REST body admits a bare string (POST /api/v1/metrics, JSON and NDJSON)', () => {
    const walked = walkInput('POST /api/v1/metrics', ingestBodySchema);
    walkInput('POST /api/v1/metrics (ndjson)', metricSampleSchema, walked);
    walkInput('POST /api/v1/metrics (ndjson)', ingestLineSchema.shape.agent, walked);
    expect(walked.bare).toEqual([]);
    expect(walked.texts.map((t) => t.path)).toEqual(expect.arrayContaining(['agent', 'samples[].labels{key}', 'samples[].labels{}']));
  });

  it('the walker sees strings wherever they hide', () => {
    const hidden = z.object({
      a: z.string().optional(),
      b: z.array(z.object({ c: z.string().nullable() })),
      d: z.record(z.string(), z.number()),
      e: z.union([z.number(), z.string().default('x')]),
      f: z.string().pipe(z.email()),
      g: singleLineText('Fine', { max: 10 }).optional(),
      h: singleLineText('Changed', { max: 10 }).max(5), // a text type changed afterwards is not one any more
    }).loose();
    expect(walkInput('t', hidden).bare).toEqual([
      't: a is a bare string', 't: b[].c is a bare string', 't: d{key} is a bare string', 't: e is a bare string',
      't: f is a bare string', 't: f is a bare string', 't: h is a bare string', 't: {*} is a bare unknown',
    ]);
  });
});
