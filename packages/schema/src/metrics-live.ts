// metrics.live: the live tail of committed samples (LivePoint) and agent status changes, as
// published on the bus by ingestion and batched to each subscriber.
import { z } from 'zod';
import { idSchema } from './auth.ts';
import { METRIC_FIELDS, metricFieldSchema } from './metric-fields.ts';
import { agentStatusChangeSchema } from './agents.ts';

export const metricsLiveInput = z.object({
  workspaceId: idSchema,
  agentIds: z.array(idSchema).max(50).optional(),
  metrics: z.array(metricFieldSchema).max(METRIC_FIELDS.length).optional(),
});
export const livePointSchema = z.object({ agentId: z.string(), ts: z.number(), values: z.partialRecord(metricFieldSchema, z.number()) });
export type LivePoint = z.infer<typeof livePointSchema>;

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
