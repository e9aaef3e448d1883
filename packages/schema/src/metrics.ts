// Agent metrics: ingestion bodies, queries, live batches, agents, ingest keys, alert rules.
// One schema per boundary; the server, worker, web client and collector SDK infer their types here.
import { z } from 'zod';
import { idSchema } from './auth.ts';

/** The numeric fields a sample may carry (API.md "Metrics samples"); column names in storage. */
export const METRIC_FIELDS = [
  'latency_ms',
  'tokens_in',
  'tokens_out',
  'cost_usd',
  'cpu_pct',
  'gpu_pct',
  'memory_mb',
  'requests',
  'errors',
] as const;
export const metricFieldSchema = z.enum(METRIC_FIELDS);
export type MetricField = z.infer<typeof metricFieldSchema>;

/** What a query or chart can ask for: the stored fields plus derived ones. */
export const METRIC_NAMES = [...METRIC_FIELDS, 'tokens', 'throughput', 'error_rate'] as const;
export const metricNameSchema = z.enum(METRIC_NAMES);
export type MetricName = z.infer<typeof metricNameSchema>;

export const AGGREGATES = ['avg', 'min', 'max', 'sum', 'count', 'p50', 'p95', 'p99'] as const;
export const aggregateSchema = z.enum(AGGREGATES);
export type Aggregate = z.infer<typeof aggregateSchema>;

/**
 * The aggregates each metric answers. Rollups keep percentiles for latency only; `tokens` is
 * tokens_in + tokens_out (its per-sample min/max are not kept); `throughput` (requests per
 * second over the bucket) and `error_rate` (errors / requests) are ratios with one meaning.
 */
export const metricAggregates = (metric: MetricName): readonly Aggregate[] =>
  metric === 'latency_ms' ? AGGREGATES
    : metric === 'tokens' ? ['avg', 'sum']
      : metric === 'throughput' || metric === 'error_rate' ? ['avg']
        : ['avg', 'min', 'max', 'sum', 'count'];

export const agentNameSchema = z
  .string()
  .min(1, 'is required')
  .max(64, 'is at most 64 characters')
  .regex(/^[A-Za-z0-9][\w.:-]*$/, 'must start with a letter or digit and use letters, digits, . _ : -');

/** Samples older than this are refused: their partitions are gone (or never made). */
export const MAX_SAMPLE_AGE_MS = 7 * 24 * 3600_000;
/** Clocks drift; more than this ahead is a bug in the sender. */
export const MAX_SAMPLE_SKEW_MS = 10 * 60_000;
export const MAX_SAMPLES_PER_REQUEST = 10_000;

/** Epoch milliseconds or an ISO-8601 string → epoch milliseconds. */
export const sampleTimeSchema = z
  .union([
    z.number().int('must be whole epoch milliseconds').nonnegative(),
    z.iso.datetime({ offset: true, message: 'must be epoch milliseconds or an ISO-8601 date-time' }),
  ])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

const nonNegative = z.number().finite().nonnegative();
const percent = z.number().finite().min(0).max(100);

export const sampleLabelsSchema = z
  .record(z.string().min(1).max(64).regex(/^[\w.:-]+$/, 'label names use letters, digits, . _ : -'), z.string().max(200))
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

// ---- agents ----------------------------------------------------------------------------------

export const agentStatusSchema = z.enum(['ok', 'degraded', 'down']);
export type AgentStatus = z.infer<typeof agentStatusSchema>;

const threshold = {
  /** p95 latency above this (over the status window) → degraded. */
  latencyMs: z.number().positive().max(86_400_000).nullable(),
  /** errors / requests above this (0..1) → degraded. */
  errorRate: z.number().min(0).max(1).nullable(),
  /** No sample for this long → down. */
  downAfterMs: z.number().int().min(5_000).max(86_400_000),
};
export const agentThresholdsSchema = z.object({
  latencyMs: threshold.latencyMs.default(null),
  errorRate: threshold.errorRate.default(null),
  downAfterMs: threshold.downAfterMs.default(60_000),
});
export type AgentThresholds = z.infer<typeof agentThresholdsSchema>;

export const agentSchema = z.object({
  id: z.string(),
  workspaceId: z.string(),
  name: z.string(),
  owner: z.string().nullable(),
  model: z.string().nullable(),
  version: z.string().nullable(),
  tags: z.array(z.string()),
  thresholds: agentThresholdsSchema,
  status: agentStatusSchema,
  statusReason: z.string().nullable(),
  statusChangedAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Agent = z.infer<typeof agentSchema>;

export const updateAgentInput = z.object({
  workspaceId: idSchema,
  agentId: idSchema,
  owner: z.string().trim().max(120).nullable().optional(),
  model: z.string().trim().max(120).nullable().optional(),
  version: z.string().trim().max(60).nullable().optional(),
  tags: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
  // Not agentThresholdsSchema.partial(): its defaults would reset the thresholds left out.
  thresholds: z.object({
    latencyMs: threshold.latencyMs.optional(),
    errorRate: threshold.errorRate.optional(),
    downAfterMs: threshold.downAfterMs.optional(),
  }).optional(),
});
export type UpdateAgentInput = z.infer<typeof updateAgentInput>;

// ---- queries -----------------------------------------------------------------------------------

const epochMs = z.number().int().nonnegative();

export const metricsQueryInput = z
  .object({
    workspaceId: idSchema,
    /** Omitted: every agent of the workspace (one series per agent and metric). */
    agentIds: z.array(idSchema).max(50).optional(),
    metrics: z
      .array(z.object({ name: metricNameSchema, agg: aggregateSchema.default('avg') }))
      .min(1)
      .max(12),
    from: epochMs,
    to: epochMs,
    /** Bucket width; omitted → chosen from the range and `width` (about one bucket per 2 px). */
    stepMs: z.number().int().min(1000).max(31 * 86_400_000).optional(),
    /** Chart width in pixels, used to pick the step. */
    width: z.number().int().min(50).max(10_000).default(1200),
  })
  .superRefine((q, ctx) => {
    q.metrics.forEach((m, i) => {
      const allowed = metricAggregates(m.name);
      if (!allowed.includes(m.agg))
        ctx.addIssue({ code: 'custom', path: ['metrics', i, 'agg'], message: `${m.name} answers ${allowed.join(', ')}` });
    });
  })
  .refine((q) => q.to > q.from, { message: 'must be after from', path: ['to'] })
  .refine((q) => q.to - q.from <= 400 * 86_400_000, { message: 'range is at most 400 days', path: ['to'] });
export type MetricsQueryInput = z.infer<typeof metricsQueryInput>;

/** Aligned for uPlot: one x array (epoch seconds), one y array per series, null for gaps. */
export const metricsSeriesSchema = z.object({
  agentId: z.string(),
  agentName: z.string(),
  metric: metricNameSchema,
  agg: aggregateSchema,
  values: z.array(z.number().nullable()),
});
export const metricsQueryOutput = z.object({
  stepMs: z.number(),
  /** Which table answered: raw samples, 1-minute or 1-hour rollups. */
  source: z.enum(['raw', '1m', '1h']),
  x: z.array(z.number()),
  series: z.array(metricsSeriesSchema),
});
export type MetricsQueryOutput = z.infer<typeof metricsQueryOutput>;

export const metricsLiveInput = z.object({
  workspaceId: idSchema,
  agentIds: z.array(idSchema).max(50).optional(),
  metrics: z.array(metricFieldSchema).max(METRIC_FIELDS.length).optional(),
});
export const livePointSchema = z.object({ agentId: z.string(), ts: z.number(), values: z.partialRecord(metricFieldSchema, z.number()) });
export type LivePoint = z.infer<typeof livePointSchema>;
export const agentStatusChangeSchema = z.object({ agentId: z.string(), status: agentStatusSchema, reason: z.string().nullable() });
export type AgentStatusChange = z.infer<typeof agentStatusChangeSchema>;

/** Bus message on `metrics:<workspaceId>` after samples commit (published by ingestion). */
export const metricsBusMessageSchema = z.object({ points: z.array(livePointSchema) });
export type MetricsBusMessage = z.infer<typeof metricsBusMessageSchema>;

/**
 * One batch pushed by `metrics.live` (at most 4 a second per subscriber). The first batch comes
 * once the subscription is live and carries the current status of every agent it covers: load
 * history (metrics.query) after it, and again after a reconnect.
 */
export const metricsLiveBatchSchema = z.object({
  points: z.array(livePointSchema),
  /** Agents whose status changed since the last batch (the first batch: all of them). */
  statuses: z.array(agentStatusChangeSchema),
  /** Points published meanwhile that this subscriber missed because it fell behind (counted before its filter); reload the range. */
  dropped: z.number().int().optional(),
  /** True when points may have been lost on the way (the bus reconnected after an outage): reload the range. */
  gap: z.boolean().optional(),
});
export type MetricsLiveBatch = z.infer<typeof metricsLiveBatchSchema>;

export const costQueryInput = z
  .object({ workspaceId: idSchema, from: epochMs, to: epochMs })
  .refine((q) => q.to > q.from, { message: 'must be after from', path: ['to'] })
  .refine((q) => q.to - q.from <= 400 * 86_400_000, { message: 'range is at most 400 days', path: ['to'] });

const costLine = { costUsd: z.number(), tokens: z.number(), requests: z.number() };
const periodCost = z.object({ from: z.string(), to: z.string(), costUsd: z.number() });
/** `metrics.costs`: spend over a range (whole UTC hours), broken down three ways. */
export const costReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  total: z.object(costLine),
  /** Most expensive first; the first few are the top spenders. */
  byAgent: z.array(z.object({ agentId: z.string(), agentName: z.string(), share: z.number(), ...costLine })),
  /** The sample's `model` label, else the agent's model, else "unknown". */
  byModel: z.array(z.object({ model: z.string(), share: z.number(), ...costLine })),
  /** Every UTC day of the range, zero when nothing was spent. */
  byDay: z.array(z.object({ day: z.string(), ...costLine })),
  /** This month so far against the same stretch of the previous month. */
  monthToDate: z.object({ current: periodCost, previous: periodCost, changePct: z.number().nullable() }),
});
export type CostReport = z.infer<typeof costReportSchema>;

// ---- ingest keys -----------------------------------------------------------------------------

export const createIngestKeyInput = z.object({ workspaceId: idSchema, label: z.string().trim().min(1).max(80) });
export const revokeIngestKeyInput = z.object({ workspaceId: idSchema, keyId: idSchema });
export const ingestKeySchema = z.object({
  id: z.string(),
  label: z.string(),
  /** The first characters of the key, so people can tell keys apart; the rest is never stored. */
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

// ---- alerts --------------------------------------------------------------------------------

export const alertOpSchema = z.enum(['>', '>=', '<', '<=']);
export const createAlertRuleInput = z.object({
  workspaceId: idSchema,
  /** Omitted: the rule applies to every agent of the workspace, each on its own. */
  agentId: idSchema.nullish(),
  metric: metricNameSchema,
  agg: aggregateSchema.default('avg'),
  op: alertOpSchema,
  threshold: z.number().finite(),
  windowMs: z.number().int().min(10_000).max(86_400_000),
  name: z.string().trim().min(1).max(120).optional(),
  webhookUrl: z.url({ protocol: /^https?$/ }).max(2000).nullish(),
});
export const deleteAlertRuleInput = z.object({ workspaceId: idSchema, ruleId: idSchema });
export const alertEventsInput = z.object({
  workspaceId: idSchema,
  lastEventId: z.string().regex(/^\d{1,15}$/).nullish(),
});
export const alertEventSchema = z.object({
  seq: z.number().int(),
  ruleId: z.string(),
  ruleName: z.string(),
  agentId: z.string(),
  agentName: z.string(),
  kind: z.enum(['fired', 'resolved']),
  value: z.number().nullable(),
  threshold: z.number(),
  at: z.string(),
});
export type AlertEvent = z.infer<typeof alertEventSchema>;

// ---- dashboard preferences ------------------------------------------------------------------------

export const dashboardPrefsSchema = z.object({
  agentIds: z.array(idSchema).max(50).default([]),
  panels: z.array(metricNameSchema).max(12).default(['latency_ms', 'throughput', 'cost_usd', 'tokens', 'cpu_pct', 'memory_mb']),
  /** A relative range ending now, in milliseconds. */
  rangeMs: z.number().int().min(60_000).max(400 * 86_400_000).default(3600_000),
});
export type DashboardPrefs = z.infer<typeof dashboardPrefsSchema>;
export const saveDashboardPrefsInput = z.object({ workspaceId: idSchema, prefs: dashboardPrefsSchema });
