// POST /api/v1/metrics: an agent's samples as sent (JSON or NDJSON), their limits, and the
// problems a 400 lists. The server, the collector SDK and the tests infer their types here.
import { z } from 'zod';
import { asTextType, singleLineText, tokenText } from './text.ts';
import { METRIC_FIELDS } from './metric-fields.ts';

/** Column size of agents.name (and of alert_events.agent_name, which copies it). */
export const AGENT_NAME_MAX = 64;
export const agentNameSchema = tokenText('Agent name', {
  max: AGENT_NAME_MAX,
  pattern: /^[A-Za-z0-9][\w.:-]*$/,
  patternMessage: 'must start with a letter or digit and use letters, digits, . _ : -',
});

/** Samples older than this are refused: their partitions are gone (or never made). */
export const MAX_SAMPLE_AGE_MS = 7 * 24 * 3600_000;
/** Clocks drift; more than this ahead is a bug in the sender. */
export const MAX_SAMPLE_SKEW_MS = 10 * 60_000;
export const MAX_SAMPLES_PER_REQUEST = 10_000;

/** Epoch milliseconds or an ISO-8601 string → epoch milliseconds. */
export const sampleTimeSchema = z
  .union([
    z.number().int('must be whole epoch milliseconds').nonnegative(),
    // Its own anchored ASCII pattern admits nothing else, so it counts as a text type.
    asTextType(z.iso.datetime({ offset: true, message: 'must be epoch milliseconds or an ISO-8601 date-time' }), { kind: 'token', field: 'Time', min: 20, max: 40 }),
  ])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

const nonNegative = z.number().finite().nonnegative();
const percent = z.number().finite().min(0).max(100);

export const sampleLabelsSchema = z
  .record(
    tokenText('Label name', { max: 64, pattern: /^[\w.:-]+$/, patternMessage: 'must use letters, digits, . _ : -' }),
    // Stored in jsonb: PostgreSQL refuses NUL and lone surrogates there (issue 14).
    singleLineText('Label value', { min: 0, max: 200 }),
  )
  .refine((l) => Object.keys(l).length <= 16, 'at most 16 labels');

export const metricSampleSchema = z
  .strictObject({
    ts: sampleTimeSchema,
    latency_ms: nonNegative.max(86_400_000).optional(),
    tokens_in: z.number().int().nonnegative().max(100_000_000).optional(),
    tokens_out: z.number().int().nonnegative().max(100_000_000).optional(),
    cost_usd: nonNegative.max(1_000_000).optional(),
    cpu_pct: percent.optional(),
    gpu_pct: percent.optional(),
    memory_mb: nonNegative.max(100_000_000).optional(),
    requests: z.number().int().nonnegative().max(1_000_000_000).optional(),
    errors: z.number().int().nonnegative().max(1_000_000_000).optional(),
    labels: sampleLabelsSchema.optional(),
  })
  .refine((s) => METRIC_FIELDS.some((f) => s[f] !== undefined), { message: 'needs at least one metric field', path: ['ts'] });
export type MetricSample = z.infer<typeof metricSampleSchema>;

/** `POST /api/v1/metrics` with `Content-Type: application/json`. */
export const ingestBodySchema = z.strictObject({
  agent: agentNameSchema,
  samples: z.array(metricSampleSchema).min(1, 'needs at least one sample').max(MAX_SAMPLES_PER_REQUEST),
});
export type IngestBody = z.infer<typeof ingestBodySchema>;

/** One line of an `application/x-ndjson` body: `{agent, ...sample}`. */
export const ingestLineSchema = z.object({ agent: agentNameSchema }).passthrough();

/** A `400` lists every problem by sample index (line index for NDJSON) and field. */
export const ingestProblemSchema = z.object({ index: z.number().int(), field: z.string(), message: z.string() });
export type IngestProblem = z.infer<typeof ingestProblemSchema>;
