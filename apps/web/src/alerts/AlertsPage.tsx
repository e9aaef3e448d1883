// Alerts of the workspace's agents: fired and resolved events as they happen, the rules, and
// (for admins) the rule editor.
import { useParams } from '@solidjs/router';
import { useQuery } from '@tanstack/solid-query';
import { createEffect, on, Show } from 'solid-js';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { createWorkspaceAccess } from '../me.ts';
import { agentListKey } from '../metrics/agentRoster.ts';
import { createAlertEvents } from './alertEvents.ts';
import { AlertEventList } from './AlertEventList.tsx';
import { createAlertRules } from './alertRules.ts';
import { AlertRuleForm } from './AlertRuleForm.tsx';
import { AlertRuleTable } from './AlertRuleTable.tsx';
import { trpc } from '../trpc.ts';
import { MetricsTabs } from '../metrics/MetricsTabs.tsx';

export function AlertsPage() {
  const params = useParams();
  const workspaceId = () => params.workspaceId ?? '';
  const access = createWorkspaceAccess(workspaceId);
  const agents = useQuery(() => ({
    queryKey: agentListKey(workspaceId()),
    queryFn: () => trpc.agent.list.query({ workspaceId: workspaceId() }),
    enabled: workspaceId() !== '',
  }));
  // Sessions a rule can post into: the latest page of active ones is what people pick from.
  const sessions = useQuery(() => ({
    queryKey: ['conversation.list', workspaceId(), 'alert-targets'],
    queryFn: () => trpc.conversation.list.query({ workspaceId: workspaceId() }),
    enabled: workspaceId() !== '' && access.isAdmin(),
  }));
  const rules = createAlertRules(workspaceId);
  const events = createAlertEvents(workspaceId);
  const sortedAgents = () => [...(agents.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  // A new event changes what the rules table shows as firing.
  createEffect(on(() => events.events()[0]?.seq, () => void rules.refresh(), { defer: true }));

  return (
    <div class="page page--wide">
      <PageHeader title="Metrics" description="Alerts: what fired and resolved, and the rules that decide it." />
      <MetricsTabs workspaceId={workspaceId()} isAdmin={access.isAdmin()} />

      <section class="stack" aria-labelledby="alert-events-title">
        <div class="section-head">
          <h2 id="alert-events-title" class="section-head__title">
            Recent events
          </h2>
          <span class="muted section-head__note">Live — new events appear at the top.</span>
        </div>
        <ErrorNote message={events.error()} testId="alert-events-error" />
        <QueryState
          query={{ isPending: !events.started() && !events.error(), isError: false, error: null }}
          data={events.events()}
          loading="Connecting to alert events…"
          empty={
            <EmptyState icon="alert" title="No alerts yet" testId="alert-events-empty">
              <p>When a rule's condition starts or stops holding for an agent, it is listed here the moment it happens.</p>
            </EmptyState>
          }
        >
          {(list) => <AlertEventList events={list()} formatOf={rules.formatOf} />}
        </QueryState>
      </section>

      <section class="stack" aria-labelledby="alert-rules-title">
        <div class="section-head">
          <h2 id="alert-rules-title" class="section-head__title">
            Rules
          </h2>
        </div>
        <QueryState
          query={rules.rules}
          data={rules.rules.data}
          loading="Loading rules…"
          errorTestId="alert-rules-error"
          empty={
            <EmptyState icon="alert" title="No alert rules" testId="alert-rules-empty">
              <p>
                {access.isAdmin()
                  ? 'Add a rule below: for example, p95 latency above 2 s over 5 minutes on any agent.'
                  : 'Workspace admins add rules; you will see their alerts here.'}
              </p>
            </EmptyState>
          }
        >
          {(list) => <AlertRuleTable rules={list()} canDelete={access.isAdmin()} onDelete={rules.remove} />}
        </QueryState>
        <Show when={access.isAdmin()}>
          <AlertRuleForm workspaceId={workspaceId()} agents={sortedAgents()} sessions={sessions.data?.items ?? []} onCreate={rules.create} />
        </Show>
      </section>
    </div>
  );
}
