// Starts one BullMQ worker per queue on a runtime. Used by `npm run worker` and embedded mode.
import { queueNames, type Runtime } from '@tandem/core';
import { makeProcessor } from './processors.ts';

export function startWorkers(rt: Runtime): void {
  const processor = makeProcessor(rt);
  for (const q of queueNames) rt.queues.startWorker(q, processor);
  rt.log.info({ queues: queueNames, backend: rt.queues.backend }, 'workers started');
}
