// Alerts of the workspace's agents: fired and resolved events as they happen, the rules, and
// (for admins) the rule editor.
import { useParams } from '@solidjs/router';
import { useQuery } from '@tanstack/solid-query';
import { createEffect, Match, on, Show, Switch } from 'solid-js';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { describeError } from '../errors.ts';
import { createWorkspaceAccess } from '../me.ts';
import { agentListKey } from '../metrics/agentRoster.ts';
import { createAlertEvents } from '../metrics/alertEvents.ts';
import { AlertEventList } from '../metrics/AlertEventList.tsx';
import { createAlertRules } from '../metrics/alertRules.ts';
import { AlertRuleForm } from '../metrics/AlertRuleForm.tsx';
import { AlertRuleTable } from '../metrics/AlertRuleTable.tsx';
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
        <Switch>
          <Match when={!events.started() && !events.error()}>
            <div class="card skeleton" aria-busy="true">
              Connecting to alert events…
            </div>
          </Match>
          <Match when={events.events().length === 0}>
            <EmptyState icon="alert" title="No alerts yet" testId="alert-events-empty">
              <p>When a rule's condition starts or stops holding for an agent, it is listed here the moment it happens.</p>
            </EmptyState>
          </Match>
          <Match when={events.events().length > 0}>
            <AlertEventList events={events.events()} formatOf={rules.formatOf} />
          </Match>
        </Switch>
      </section>

      <section class="stack" aria-labelledby="alert-rules-title">
        <div class="section-head">
          <h2 id="alert-rules-title" class="section-head__title">
            Rules
          </h2>
        </div>
        <Switch>
          <Match when={rules.rules.isPending}>
            <div class="card skeleton" aria-busy="true">
              Loading rules…
            </div>
          </Match>
          <Match when={rules.rules.isError}>
            <ErrorNote message={describeError(rules.rules.error).message} testId="alert-rules-error" />
          </Match>
          <Match when={(rules.rules.data ?? []).length === 0}>
            <EmptyState icon="alert" title="No alert rules" testId="alert-rules-empty">
              <p>
                {access.isAdmin()
                  ? 'Add a rule below: for example, p95 latency above 2 s over 5 minutes on any agent.'
                  : 'Workspace admins add rules; you will see their alerts here.'}
              </p>
            </EmptyState>
          </Match>
          <Match when={rules.rules.data}>
            {(list) => <AlertRuleTable rules={list()} canDelete={access.isAdmin()} onDelete={rules.remove} />}
          </Match>
        </Switch>
        <Show when={access.isAdmin()}>
          <AlertRuleForm workspaceId={workspaceId()} agents={sortedAgents()} onCreate={rules.create} />
        </Show>
      </section>
    </div>
  );
}
