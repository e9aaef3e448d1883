// jobs.events: wakes the Jobs page when one of the workspace's jobs changes (exports, schedules,
// sweeps, failed runs and deliveries); the page reads jobs.list again. Nothing polls. Written
// straight to the socket (direct-stream.ts).
import { exportChannel, jobsChannel, type Runtime } from '@tandem/core';
import { dataFrame } from '../ws/direct-delivery.ts';
import { directStream } from './direct-stream.ts';

export interface JobsEvent {
  source: 'export' | 'schedule' | 'retention' | 'run' | 'webhook';
  exportId?: string;
}

export function jobsEvents(rt: Runtime, workspaceId: string, signal: AbortSignal): AsyncGenerator<JobsEvent> {
  return directStream<JobsEvent>(signal, async (emit) => {
    // Bursts (an export's progress) fold into one event per source and export per turn of the loop.
    const pending: JobsEvent[] = [];
    let flushing: NodeJS.Immediate | null = null;
    const flush = () => {
      flushing = null;
      for (const e of pending.splice(0)) emit(dataFrame(e));
    };
    const push = (e: JobsEvent) => {
      if (!pending.some((p) => p.source === e.source && p.exportId === e.exportId)) pending.push(e);
      flushing ??= setImmediate(flush);
    };
    const offExports = await rt.bus.subscribe(exportChannel(workspaceId), (msg) => {
      const id = (msg as { exportId?: unknown }).exportId;
      push({ source: 'export', ...(typeof id === 'string' ? { exportId: id } : {}) });
    });
    const offJobs = await rt.bus.subscribe(jobsChannel(workspaceId), (msg) => {
      const source = (msg as { source?: unknown }).source;
      if (source === 'schedule' || source === 'retention' || source === 'run' || source === 'webhook') push({ source });
    });
    return () => {
      if (flushing) clearImmediate(flushing);
      offExports();
      offJobs();
    };
  });
}
