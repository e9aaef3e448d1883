// The export jobs' handlers (packages/core/src/exports): one export, and the periodic sweep that
// removes expired files and fails exports whose job is gone.
import type { Job } from 'bullmq';
import { failExport, jobDefinitions, runExport, sweepExports, type Runtime } from '@tandem/core';

export async function exportRunHandler(payload: { exportId: string }, { rt, job, signal }: { rt: Runtime; job: Job; signal: AbortSignal }) {
  try {
    return await runExport(rt, payload.exportId, { signal });
  } catch (err) {
    // The last attempt keeps its reason on the row (export.retry runs it again); a shutdown
    // hands the job back instead (processors.ts), so it is not a failure.
    if (!signal.aborted && job.attemptsMade + 1 >= jobDefinitions['export.run'].attempts)
      await failExport({ em: rt.orm.em.fork(), bus: rt.bus, queues: rt.queues, log: rt.log }, payload.exportId, (err as Error).message || 'The export failed');
    throw err;
  }
}

export const exportsSweepHandler = (_p: unknown, { rt }: { rt: Runtime }) => sweepExports(rt);
