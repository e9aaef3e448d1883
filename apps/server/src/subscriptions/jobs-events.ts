// jobs.events: wakes the Jobs page when one of the workspace's jobs changes (exports, schedules,
// sweeps, failed runs and deliveries); the page reads jobs.list again. Nothing polls.
import { exportChannel, jobsChannel, type Runtime } from '@tandem/core';

export interface JobsEvent {
  source: 'export' | 'schedule' | 'retention' | 'run' | 'webhook';
  exportId?: string;
}

export async function* jobsEvents(rt: Runtime, workspaceId: string, signal: AbortSignal): AsyncGenerator<JobsEvent> {
  const pending: JobsEvent[] = [];
  let wake: (() => void) | null = null;
  const push = (e: JobsEvent) => {
    // Bursts (an export's progress) fold into one pending event per source and export.
    if (!pending.some((p) => p.source === e.source && p.exportId === e.exportId)) pending.push(e);
    wake?.();
  };
  const offExports = await rt.bus.subscribe(exportChannel(workspaceId), (msg) => {
    const id = (msg as { exportId?: unknown }).exportId;
    push({ source: 'export', ...(typeof id === 'string' ? { exportId: id } : {}) });
  });
  const offJobs = await rt.bus.subscribe(jobsChannel(workspaceId), (msg) => {
    const source = (msg as { source?: unknown }).source;
    if (source === 'schedule' || source === 'retention' || source === 'run' || source === 'webhook') push({ source });
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    while (!signal.aborted) {
      const next = pending.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (signal.aborted) resolve();
      });
      wake = null;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    offExports();
    offJobs();
  }
}
