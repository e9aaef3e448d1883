// Live metrics of the workspace's AI agents: the status board, then chart panels that follow the
// agents live. The user's choices (agents, panels, range) are kept server-side per user.
import { A, useParams } from '@solidjs/router';
import { createMemo, Show } from 'solid-js';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { createWorkspaceAccess } from '../me.ts';
import { AgentFilter } from './AgentFilter.tsx';
import { createAgentRoster } from './agentRoster.ts';
import { createDashboardPrefs } from './dashboardPrefs.ts';
import { CopyBlock, curlExample } from '../ingestKeys/IngestExample.tsx';
import { createLiveMetrics } from './liveMetrics.ts';
import { LiveDashboard } from './LiveDashboard.tsx';
import { MetricsTabs } from './MetricsTabs.tsx';
import { PanelPicker } from './PanelPicker.tsx';
import { panelSpec, type PanelSpec } from './panels.ts';
import { StatusBoard } from './StatusBoard.tsx';

export function MetricsPage() {
  const params = useParams();
  const workspaceId = () => params.workspaceId ?? '';
  const access = createWorkspaceAccess(workspaceId);
  const dashboard = createDashboardPrefs(workspaceId);
  // Subscribed even with no agents yet: the first sample of a new agent shows up on its own.
  const live = createLiveMetrics(() => (workspaceId() && access.role() ? { workspaceId: workspaceId() } : null));
  const roster = createAgentRoster(workspaceId, live);

  const panels = createMemo(() => dashboard.prefs().panels.map(panelSpec).filter((p): p is PanelSpec => p !== undefined));
  // Chosen agents that have since gone are ignored rather than charted as nothing.
  const agentIds = createMemo(() => dashboard.prefs().agentIds.filter((id) => roster.byId(id)));

  return (
    <div class="page page--wide">
      <PageHeader title="Metrics" description="Latency, throughput, cost and load of the AI agents that report to this workspace, live." />
      <MetricsTabs workspaceId={workspaceId()} isAdmin={access.isAdmin()} />
      <ErrorNote message={dashboard.saveError()} testId="dashboard-save-error" />
      <QueryState
        query={roster.query}
        data={roster.agents()}
        loading="Loading agents…"
        errorTestId="agents-error"
        empty={
          <EmptyState icon="metrics" title="No agents reporting yet" testId="metrics-empty">
            <p>
              An agent appears here with its first sample: it sends <code>POST /api/v1/metrics</code> with an ingest key,
              and its latency, cost and throughput chart here live. This page updates by itself.
            </p>
            <Show
              when={access.isAdmin()}
              fallback={<p>Ask a workspace admin for an ingest key.</p>}
            >
              <A class="button button--primary" href={`/w/${workspaceId()}/metrics/keys`} data-testid="create-key-link">
                Create an ingest key
              </A>
            </Show>
            <CopyBlock text={curlExample('<ingest key>')} label="Example request" />
          </EmptyState>
        }
      >
        {(agents) => (
          <>
            <StatusBoard agents={agents()} workspaceId={workspaceId()} />
            <Show when={dashboard.ready()} fallback={<div class="card skeleton">Loading your dashboard…</div>}>
              <LiveDashboard
                workspaceId={workspaceId()}
                live={live}
                roster={roster}
                agentIds={agentIds()}
                panels={panels()}
                rangeMs={dashboard.prefs().rangeMs}
                onRangeChange={(rangeMs) => dashboard.update({ rangeMs })}
                syncKey={`metrics-${workspaceId()}`}
                controls={
                  <>
                    <AgentFilter agents={agents()} selected={agentIds()} onChange={(ids) => dashboard.update({ agentIds: ids })} />
                    <PanelPicker selected={dashboard.prefs().panels} onChange={(list) => dashboard.update({ panels: list })} />
                  </>
                }
              />
            </Show>
          </>
        )}
      </QueryState>
    </div>
  );
}
