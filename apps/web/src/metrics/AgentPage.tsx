// One agent up close: status and last seen, every chart panel for it alone, its metadata
// (editable by admins), the alert rules that watch it and its recent alert events.
import { A, useParams, useSearchParams } from '@solidjs/router';
import { useQueryClient } from '@tanstack/solid-query';
import { createMemo, createSignal, Show } from 'solid-js';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { describeError } from '../errors.ts';
import { createWorkspaceAccess } from '../me.ts';
import { AgentDetails } from './AgentDetails.tsx';
import { agentListKey, createAgentRoster } from './agentRoster.ts';
import { createAlertEvents } from '../alerts/alertEvents.ts';
import { AlertEventList } from '../alerts/AlertEventList.tsx';
import { createAlertRules } from '../alerts/alertRules.ts';
import { AlertRuleForm } from '../alerts/AlertRuleForm.tsx';
import { AlertRuleTable } from '../alerts/AlertRuleTable.tsx';
import type { Agent } from './api.ts';
import { formatAgo, useNow } from './clock.ts';
import { rangeFromSearch } from './dashboardLink.ts';
import { createLiveMetrics } from './liveMetrics.ts';
import { LiveDashboard } from './LiveDashboard.tsx';
import { seriesVar } from './palette.ts';
import { DEFAULT_RANGE_MS, PANELS } from './panels.ts';
import { StatusBadge } from './StatusBadge.tsx';
import { trpc } from '../trpc.ts';

/** The assistant reports its own runs as this agent (packages/core/src/conversations/assistant-metrics.ts). */
const ASSISTANT_AGENT = 'tandem-assistant';

export function AgentPage() {
  const params = useParams();
  const queryClient = useQueryClient();
  const workspaceId = () => params.workspaceId ?? '';
  const agentId = () => params.agentId ?? '';
  const access = createWorkspaceAccess(workspaceId);
  const live = createLiveMetrics(() => (workspaceId() && access.role() ? { workspaceId: workspaceId(), agentIds: [agentId()] } : null));
  const roster = createAgentRoster(workspaceId, live);
  const agent = createMemo(() => roster.byId(agentId()));
  const rules = createAlertRules(workspaceId);
  const events = createAlertEvents(workspaceId);
  const [rangeMs, setRangeMs] = createSignal(DEFAULT_RANGE_MS);
  // Opened from a message, a tool card or an alert (dashboardHref): that range, that metric's panel.
  const [search] = useSearchParams();
  const linked = createMemo(() => rangeFromSearch(search));
  const now = useNow();

  const agentRules = () => (rules.rules.data ?? []).filter((r) => r.agentId === null || r.agentId === agentId());
  const agentEvents = () => events.events().filter((e) => e.agentId === agentId());

  const saveAgent = async (update: Parameters<typeof trpc.agent.update.mutate>[0]) => {
    const updated = await trpc.agent.update.mutate(update);
    queryClient.setQueryData<Agent[]>(agentListKey(workspaceId()), (list) => list?.map((a) => (a.id === updated.id ? updated : a)));
  };

  return (
    <div class="page page--wide">
      <QueryState
        query={roster.query}
        data={agent()}
        loading="Loading agent…"
        empty={
          <EmptyState icon="metrics" title="Agent not found" testId="agent-missing">
            <p>It may belong to another workspace, or the link is wrong.</p>
            <A class="button" href={`/w/${workspaceId()}/metrics`}>
              Back to metrics
            </A>
          </EmptyState>
        }
      >
        {(current) => (
          <>
            <header class="agent-header">
              <A class="conversation__back" href={`/w/${workspaceId()}/metrics`}>
                ← Metrics
              </A>
              <span class="swatch swatch--large" style={{ background: `var(${seriesVar(current().colorIndex)})` }} aria-hidden="true" />
              <h1 class="page-header__title agent-header__name" data-testid="agent-name">
                {current().name}
              </h1>
              <StatusBadge status={current().status} />
              <span class="muted agent-header__seen">
                {current().lastSeenMs ? `Last seen ${formatAgo(current().lastSeenMs ?? 0, now())}` : 'No samples yet'}
              </span>
            </header>
            <Show when={current().status !== 'ok' && current().statusReason}>
              <div class={`banner${current().status === 'down' ? ' banner--error' : ''}`} role="status" data-testid="agent-reason">
                {current().statusReason}
              </div>
            </Show>
            <AgentDetails
              agent={current()}
              canEdit={access.isAdmin()}
              onSave={(update) => saveAgent({ workspaceId: workspaceId(), agentId: agentId(), ...update })}
            />
            <LiveDashboard
              workspaceId={workspaceId()}
              live={live}
              roster={roster}
              agentIds={[agentId()]}
              panels={PANELS}
              rangeMs={rangeMs()}
              onRangeChange={setRangeMs}
              syncKey={`agent-${agentId()}`}
              initialZoom={linked()?.range}
              focusMetric={linked()?.metric}
              runMarkersOf={current().name === ASSISTANT_AGENT ? agentId() : undefined}
            />
            <section class="stack" aria-labelledby="agent-alerts-title">
              <div class="section-head">
                <h2 id="agent-alerts-title" class="section-head__title">
                  Alert rules watching {current().name}
                </h2>
              </div>
              <ErrorNote message={rules.rules.isError ? describeError(rules.rules.error).message : null} />
              <Show
                when={agentRules().length > 0}
                fallback={
                  <p class="muted" data-testid="agent-rules-empty">
                    No rule watches this agent yet.
                  </p>
                }
              >
                <AlertRuleTable rules={agentRules()} canDelete={access.isAdmin()} onDelete={rules.remove} />
              </Show>
              <Show when={access.isAdmin()}>
                <AlertRuleForm workspaceId={workspaceId()} agents={[current()]} fixedAgentId={agentId()} onCreate={rules.create} />
              </Show>
            </section>
            <section class="stack" aria-labelledby="agent-events-title">
              <div class="section-head">
                <h2 id="agent-events-title" class="section-head__title">
                  Recent alert events
                </h2>
              </div>
              <ErrorNote message={events.error()} />
              <Show when={agentEvents().length > 0} fallback={<p class="muted">No alert has fired for this agent recently.</p>}>
                <AlertEventList events={agentEvents()} showAgent={false} formatOf={rules.formatOf} />
              </Show>
            </section>
          </>
        )}
      </QueryState>
    </div>
  );
}
