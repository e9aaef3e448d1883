// jobs.events for the Jobs page's sections: each push refreshes the queries it concerns, so
// schedules and retention stay current without polling.
import { useQueryClient } from '@tanstack/solid-query';
import type { Accessor } from 'solid-js';
import { createSubscription } from '../createSubscription.ts';
import { trpc } from '../trpc.ts';

export const schedulesKey = (workspaceId: string) => ['export.schedules', workspaceId] as const;
export const retentionKey = (workspaceId: string) => ['retention.report', workspaceId] as const;
export const jobsListKey = (workspaceId: string) => ['jobs.list', workspaceId] as const;

interface JobsEvent {
  source: 'export' | 'schedule' | 'retention' | 'run' | 'webhook';
}

export function createJobsFeed(workspaceId: Accessor<string>, enabled: Accessor<boolean>) {
  const client = useQueryClient();
  return createSubscription<{ workspaceId: string }, JobsEvent>({
    input: () => (workspaceId() && enabled() ? { workspaceId: workspaceId() } : null),
    subscribe: (input, observer) => trpc.jobs.events.subscribe(input, observer),
    onData: (e) => {
      if (e.source === 'schedule' || e.source === 'export') void client.invalidateQueries({ queryKey: schedulesKey(workspaceId()) });
      if (e.source === 'retention') void client.invalidateQueries({ queryKey: retentionKey(workspaceId()) });
      // Failed runs and deliveries (AttentionSection); a schedule's delivery state changes with 'schedule'.
      if (e.source === 'run' || e.source === 'webhook' || e.source === 'schedule') void client.invalidateQueries({ queryKey: jobsListKey(workspaceId()) });
    },
  });
}
