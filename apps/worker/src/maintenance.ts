// Self-repair of the queue, run by every worker process: orphaned runs enqueued again, lost
// schedules registered again, e.g. after a Redis restart lost its data (docs/reliability.md §4).
import { requeueOrphanedRuns, restoreExportSchedules, restoreLostSchedules, type Runtime } from '@tandem/core';

export const SWEEP_MS = 5000;

/** Both repairs are idempotent, so several workers sweeping at once do no harm. */
export function startMaintenance(rt: Runtime, opts: { schedules?: boolean } = {}): void {
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      const repaired = await requeueOrphanedRuns(rt.orm.em.fork(), rt.queues);
      if (repaired) rt.log.warn({ repaired }, 'runs whose job was lost or ended enqueued again');
      if (opts.schedules) {
        await restoreLostSchedules(rt.queues);
        const restored = await restoreExportSchedules(rt.orm.em.fork(), rt.queues);
        if (restored) rt.log.warn({ restored }, 'export schedules the queue had lost registered again');
      }
    } catch (err) {
      rt.log.warn({ err: (err as Error).message }, 'queue maintenance failed; next sweep retries');
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), SWEEP_MS).unref();
  rt.queues.closingSignal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
