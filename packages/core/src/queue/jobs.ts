// Every job kind: queue, payload schema, retry policy. The worker registers a handler per name.
import type { z } from 'zod';
import { alertWebhookJob, assistantRunJob, exportRunJob, exportScheduledJob, exportWebhookJob, periodicJob, pingJob, retentionSweepJob } from '@tandem/schema';

export const jobDefinitions = {
  ping: { queue: 'system', payload: pingJob, attempts: 1 },
  /** One assistant reply; the job id derives from the run id, so a run is enqueued once. */
  'assistant.run': { queue: 'assistant', payload: assistantRunJob, attempts: 3 },
  // Periodic upkeep has its own queue, so a backlog of it (a demo backfill to roll up, say)
  // never delays the `ping` that /readyz waits for.
  /** Makes the coming days' metric_samples partitions (schedules.ts runs the periodic ones). */
  'metrics.partitions': { queue: 'maintenance', payload: periodicJob, attempts: 1 },
  /** Folds recent raw samples into 1-minute and 1-hour rollups. */
  'metrics.rollup': { queue: 'maintenance', payload: periodicJob, attempts: 1 },
  /** Drops raw partitions and rollups past their retention. */
  'metrics.retention': { queue: 'maintenance', payload: periodicJob, attempts: 1 },
  /** Recomputes agent status (ok / degraded / down) and announces changes. */
  'agents.status': { queue: 'maintenance', payload: periodicJob, attempts: 1 },
  /** Evaluates alert rules; fired/resolved events enqueue webhook deliveries. */
  'alerts.evaluate': { queue: 'maintenance', payload: periodicJob, attempts: 1 },
  // Deliveries wait on receivers an admin chose (a slow one holds its slot up to the timeout):
  // their own queue, so they never delay rollups or alert evaluation (issue 11 item 5).
  'alerts.webhook': { queue: 'webhooks', payload: alertWebhookJob, attempts: 6 },
  /** One export to a file (exports/run-export.ts), on its own queue: never behind upkeep. */
  'export.run': { queue: 'exports', payload: exportRunJob, attempts: 2 },
  /** Removes export files past EXPORT_RETENTION_DAYS (rows stay as `expired`); fails exports whose job is gone. */
  'exports.sweep': { queue: 'maintenance', payload: periodicJob, attempts: 1 },
  /** One due time of a scheduled export: makes its export row (export-schedules/schedules.ts). */
  'export.scheduled': { queue: 'exports', payload: exportScheduledJob, attempts: 3 },
  /** A scheduled run's outcome POSTed to its schedule's webhook (export-schedules/webhook.ts), beside the alert deliveries. */
  'export.webhook': { queue: 'webhooks', payload: exportWebhookJob, attempts: 6 },
  /** Archives idle conversations and purges those past the grace period (retention/retention.ts). */
  'retention.sweep': { queue: 'maintenance', payload: retentionSweepJob, attempts: 2 },
} as const;

export type JobName = keyof typeof jobDefinitions;
/** What a producer passes (defaults not yet applied). */
export type JobInput<N extends JobName> = z.input<(typeof jobDefinitions)[N]['payload']>;
/** What a handler receives (validated, defaults applied). */
export type JobPayload<N extends JobName> = z.output<(typeof jobDefinitions)[N]['payload']>;
export const queueNames = [...new Set(Object.values(jobDefinitions).map((d) => d.queue))];
/** Jobs one worker runs at once per queue, where not the default 4 (Queues.startWorker). */
export const queueConcurrency: Partial<Record<string, number>> = { webhooks: 8 };
