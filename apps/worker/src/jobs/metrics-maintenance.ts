// metrics.partitions, metrics.rollup, metrics.retention: the storage upkeep of agent metrics
// (packages/core/src/metrics). Each is safe to run twice or concurrently; results are logged by BullMQ.
import { ensureUpcomingMetricPartitions, expireMetricData, rollUpMetricSamples, type Runtime } from '@tandem/core';

export async function ensurePartitions(rt: Runtime): Promise<{ made: number }> {
  return { made: await ensureUpcomingMetricPartitions(rt.orm.em.fork()) };
}

export const rollUpMetrics = (rt: Runtime) => rollUpMetricSamples(rt.orm.em.fork());

export const applyMetricsRetention = (rt: Runtime) =>
  expireMetricData(rt.orm.em.fork(), { rawDays: rt.config.METRICS_RAW_RETENTION_DAYS, rollupDays: rt.config.METRICS_ROLLUP_RETENTION_DAYS });
