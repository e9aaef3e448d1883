// metrics.query: aggregates per agent × metric over a range, aligned for uPlot.
import { z } from 'zod';
import { idSchema } from './auth.ts';
import { aggregateSchema, metricAggregates, metricNameSchema } from './metric-fields.ts';

/** Before the year 10000: what Date and timestamptz both hold. */
const epochMs = z.number().int().nonnegative().max(253_402_300_799_999, 'must be before the year 10000');

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
