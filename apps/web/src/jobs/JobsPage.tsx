// Background work of the workspace, one section per kind of job (exports here; schedules,
// retention and queues add their own section components).
import { useParams } from '@solidjs/router';
import { useQuery } from '@tanstack/solid-query';
import { Show } from 'solid-js';
import { EmptyState } from '../components/EmptyState.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { createWorkspaceAccess } from '../me.ts';
import { agentListKey } from '../metrics/agentRoster.ts';
import { trpc } from '../trpc.ts';
import { AttentionSection } from './AttentionSection.tsx';
import { createExports } from './exports.ts';
import { ExportsSection } from './ExportsSection.tsx';
import { NewExportForm } from './NewExportForm.tsx';
import { createJobsFeed } from './jobsFeed.ts';
import { QueuesSection } from './QueuesSection.tsx';
import { RetentionSection } from './RetentionSection.tsx';
import { SchedulesSection } from './SchedulesSection.tsx';

export function JobsPage() {
  const params = useParams();
  const workspaceId = () => params.workspaceId ?? '';
  const access = createWorkspaceAccess(workspaceId);
  const exports = createExports(workspaceId, access.isAdmin);
  createJobsFeed(workspaceId, access.isAdmin);
  const agents = useQuery(() => ({
    queryKey: agentListKey(workspaceId()),
    queryFn: () => trpc.agent.list.query({ workspaceId: workspaceId() }),
    enabled: workspaceId() !== '' && access.isAdmin(),
  }));
  const sortedAgents = () => [...(agents.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <div class="page page--wide">
      <PageHeader title="Jobs" description="Exports, schedules, failed runs and deliveries, and retention: the work running in the background." />
      <Show
        when={access.isAdmin()}
        fallback={
          <Show when={access.role()} fallback={<div class="card skeleton" aria-busy="true">Loading…</div>}>
            <EmptyState icon="jobs" title="For workspace admins" testId="jobs-not-admin">
              <p>Exports and the workspace's background jobs are managed by its admins.</p>
            </EmptyState>
          </Show>
        }
      >
        <NewExportForm workspaceId={workspaceId()} agents={sortedAgents()} onCreate={exports.create} />
        <ExportsSection exports={exports} />
        <SchedulesSection workspaceId={workspaceId()} />
        <AttentionSection workspaceId={workspaceId()} />
        <RetentionSection workspaceId={workspaceId()} />
      </Show>
      <QueuesSection />
    </div>
  );
}
