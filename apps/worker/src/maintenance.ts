// Self-repair of the queue, run by every worker process: runs left without a job are enqueued
// again and lost schedules registered again, e.g. after Redis restarted without its data
// (docs/reliability.md §4). Both are idempotent, so several workers sweeping at once do no harm.
import { requeueOrphanedRuns, restoreLostSchedules, type Runtime } from '@tandem/core';

export const SWEEP_MS = 5000;

export function startMaintenance(rt: Runtime, opts: { schedules?: boolean } = {}): void {
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      const repaired = await requeueOrphanedRuns(rt.orm.em.fork(), rt.queues);
      if (repaired) rt.log.warn({ repaired }, 'runs whose job was lost or ended enqueued again');
      if (opts.schedules) await restoreLostSchedules(rt.queues);
    } catch (err) {
      rt.log.warn({ err: (err as Error).message }, 'queue maintenance failed; next sweep retries');
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), SWEEP_MS).unref();
  rt.queues.closingSignal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
