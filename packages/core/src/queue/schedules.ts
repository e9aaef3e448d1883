// Periodic jobs, registered by every worker at start. upsertJobScheduler is idempotent, so
// several workers registering the same schedule still produce one job per interval.
import type { JobName } from './jobs.ts';
import { jobDefinitions } from './jobs.ts';
import type { Queues } from './queues.ts';

export const schedules: { job: JobName; everyMs: number }[] = [
  { job: 'metrics.partitions', everyMs: 3600_000 },
  { job: 'metrics.rollup', everyMs: 30_000 },
  { job: 'metrics.retention', everyMs: 3600_000 },
  { job: 'agents.status', everyMs: 10_000 },
  { job: 'alerts.evaluate', everyMs: 15_000 },
  { job: 'exports.sweep', everyMs: 60_000 },
  { job: 'retention.sweep', everyMs: 24 * 3600_000 },
];

export async function upsertSchedules(queues: Queues): Promise<void> {
  for (const s of schedules) await upsertSchedule(queues, s);
}

/** Registers again any schedule the queue lost (Redis restarted without its data, a failover). */
export async function restoreLostSchedules(queues: Queues): Promise<void> {
  for (const s of schedules)
    if (!(await queues.withQueue(jobDefinitions[s.job].queue, (q) => q.getJobScheduler(s.job)))) await upsertSchedule(queues, s);
}

/** Periodic runs leave little behind: the last ten successes, failures for a day. */
const KEEP_PERIODIC = { removeOnComplete: { count: 10 }, removeOnFail: { age: 24 * 3600 } } as const;

async function upsertSchedule(queues: Queues, s: (typeof schedules)[number]): Promise<void> {
  await queues.withQueue(jobDefinitions[s.job].queue, (q) => q.upsertJobScheduler(s.job, { every: s.everyMs }, {
    name: s.job,
    data: {},
    opts: KEEP_PERIODIC,
  }));
}
