// Starts one BullMQ worker per queue on a runtime. Used by `npm run worker` and embedded mode.
import { queueConcurrency, queueNames, upsertSchedules, type Runtime } from '@tandem/core';
import { makeProcessor } from './processors.ts';
import { startMaintenance } from './maintenance.ts';

/**
 * `schedules` registers the periodic jobs (rollups, agent status, alerts...). Processes started by
 * `npm start` / `npm run worker` pass it; tests leave it off and run those jobs when they want.
 */
export function startWorkers(rt: Runtime, opts: { schedules?: boolean } = {}): void {
  const processor = makeProcessor(rt);
  for (const q of queueNames) {
    const concurrency = queueConcurrency[q];
    rt.queues.startWorker(q, processor, concurrency ? { concurrency } : {});
  }
  if (opts.schedules)
    upsertSchedules(rt.queues).catch((err: unknown) => rt.log.error({ err }, 'could not register periodic jobs'));
  startMaintenance(rt, opts);
  rt.log.info({ queues: queueNames, backend: rt.queues.backend }, 'workers started');
}
