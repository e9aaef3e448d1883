// One tool call of an assistant reply: what was called with which arguments, how long it took,
// its error, its chart (line or bar) and the first rows of its result.
import { A, useParams } from '@solidjs/router';
import { useQuery } from '@tanstack/solid-query';
import { createMemo, For, Show } from 'solid-js';
import { agentListKey } from '../metrics/agentRoster.ts';
import { dashboardHref } from '../metrics/dashboardLink.ts';
import { trpc } from '../trpc.ts';
import { CategoryChart } from '../components/CategoryChart.tsx';
import { DataTable } from '../components/DataTable.tsx';
import type { ToolCall } from './conversationState.ts';
import { chartOf, columnsOf, formatArgs, formatCell, rowsOf, taskActionOf, taskRowsOf } from './toolResult.ts';

const MAX_ROWS = 20;

/** What query_agent_metrics answered about (its data: metric, ISO from/to, agent names). */
interface MetricsAnswer {
  metric?: unknown;
  from?: unknown;
  to?: unknown;
  agents?: unknown;
}

/**
 * "Open in dashboard" for a query_agent_metrics call about one agent: its page at the call's range
 * and metric. Several agents have no one page to open.
 */
function createDashboardLink(call: () => ToolCall, workspaceId: () => string) {
  const answer = () => (call().name === 'query_agent_metrics' && call().finished && !call().error ? (call().result as MetricsAnswer | undefined) : undefined);
  const agents = useQuery(() => ({
    queryKey: agentListKey(workspaceId()),
    queryFn: () => trpc.agent.list.query({ workspaceId: workspaceId() }),
    enabled: answer() !== undefined && workspaceId() !== '',
    staleTime: 60_000,
  }));
  return createMemo(() => {
    const data = answer();
    if (!data || !Array.isArray(data.agents) || data.agents.length !== 1 || typeof data.from !== 'string' || typeof data.to !== 'string') return null;
    const name: unknown = data.agents[0];
    const agent = agents.data?.find((a) => a.name === name);
    const from = Date.parse(data.from);
    const to = Date.parse(data.to);
    if (!agent || Number.isNaN(from) || Number.isNaN(to)) return null;
    const metric = typeof data.metric === 'string' ? (data.metric as Parameters<typeof dashboardHref>[1]['metric']) : undefined;
    return dashboardHref(workspaceId(), { agentId: agent.id, metric, from, to });
  });
}

export function ToolCallCard(props: { call: ToolCall }) {
  const params = useParams();
  // Task tools show their tasks as title, due and done, and say what they did.
  const rows = createMemo(() => taskRowsOf(props.call.name, props.call.result) ?? rowsOf(props.call.result));
  const taskAction = createMemo(() => (props.call.finished ? taskActionOf(props.call.name, props.call.result) : null));
  const columns = createMemo(() => columnsOf(rows().slice(0, MAX_ROWS)));
  const chart = createMemo(() => chartOf(props.call.chart, rows()));
  const dashboard = createDashboardLink(() => props.call, () => params.workspaceId ?? '');

  return (
    <section class="tool-card" data-testid="tool-card" data-tool={props.call.name} aria-label={`Tool call ${props.call.name}`}>
      <header class="tool-card__head">
        <span class="tool-card__icon" aria-hidden="true">ƒ</span>
        <code class="tool-card__name">{props.call.name}</code>
        <span class="tool-card__args" title={formatArgs(props.call.args)}>
          {formatArgs(props.call.args)}
        </span>
        <span class="tool-card__meta">
          <Show when={props.call.finished} fallback={<span class="tool-card__running">running…</span>}>
            {props.call.latencyMs != null ? `${Math.round(props.call.latencyMs)} ms` : ''}
          </Show>
        </span>
      </header>
      <Show when={props.call.error}>
        <p class="tool-card__error" role="alert">
          {props.call.error}
        </p>
      </Show>
      <Show when={taskAction()}>
        {(action) => (
          <p class="tool-card__task-action" data-testid="tool-task-action">
            {action()} · <A href={`/w/${params.workspaceId}/tasks`}>Open Tasks</A>
          </p>
        )}
      </Show>
      <Show when={dashboard()}>
        {(href) => (
          <p class="tool-card__task-action">
            <A href={href()} data-testid="tool-open-dashboard">
              Open in dashboard
            </A>
          </p>
        )}
      </Show>
      <Show when={chart()}>
        {(c) => <CategoryChart kind={c().kind} title={c().title} labels={c().labels} series={c().series} testId="tool-chart" />}
      </Show>
      <Show when={props.call.finished && !props.call.error}>
        <Show when={rows().length > 0} fallback={<p class="muted tool-card__empty">No rows returned.</p>}>
          <div class="tool-card__table">
            <DataTable compact columns={columns()}>
              <For each={rows().slice(0, MAX_ROWS)}>
                {(row) => (
                  <tr>
                    <For each={columns()}>{(column) => <td>{formatCell(row[column])}</td>}</For>
                  </tr>
                )}
              </For>
            </DataTable>
          </div>
          <Show when={rows().length > MAX_ROWS}>
            <p class="muted tool-card__more">
              Showing {MAX_ROWS} of {rows().length} rows.
            </p>
          </Show>
        </Show>
      </Show>
    </section>
  );
}
