// Runs left without a job that will run them, found and enqueued again by the workers' sweep
// (docs/reliability.md §4, §24).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queues } from '../queue/queues.ts';
import { runJobId } from './send.ts';

/** A run this young may still be between its send's commit and its enqueue. */
const GRACE_SECONDS = 5;
const BATCH = 200;

/**
 * Enqueues again the open runs whose job is gone or ended; returns how many it repaired. Such runs
 * come from a send whose enqueue failed (Redis down) and was never resent, a job lost with Redis's
 * data (a restart without persistence, a failover) while its run was queued or running, or a job
 * whose every attempt failed before the run could be finalised. Each repair is idempotent (the job
 * id is the run's), so several workers sweeping at once do no harm.
 */
export async function requeueOrphanedRuns(em: EntityManager, queues: Queues): Promise<number> {
  const runs = await em.execute<{ id: string }[]>(
    `select id from runs where status in ('queued', 'running') and created_at < now() - make_interval(secs => ?)
     order by created_at limit ?`,
    [GRACE_SECONDS, BATCH],
  );
  let repaired = 0;
  for (const { id } of runs)
    if ((await queues.ensureJob('assistant.run', { runId: id }, runJobId(id))) !== 'present') repaired++;
  return repaired;
}
