// A metric range attached to a message (a chart selection, an alert's window): the agent, metric and
// range, a small chart of it, and a link to the agent's dashboard at that range. With `live`, a range
// that ends near now keeps growing as samples arrive (an alert that is still firing).
import { A } from '@solidjs/router';
import { useQuery } from '@tanstack/solid-query';
import { createMemo, createSignal, onCleanup, onMount, Show } from 'solid-js';
import type uPlot from 'uplot';
import type { MetricRef } from '@tandem/schema';
import { describeError } from '../errors.ts';
import { agentListKey } from '../metrics/agentRoster.ts';
import { dashboardHref } from '../metrics/dashboardLink.ts';
import { METRIC_LABELS, panelSpec, formatCompact } from '../metrics/panels.ts';
import { TimeSeriesChart } from '../metrics/TimeSeriesChart.tsx';
import { trpc } from '../trpc.ts';
import '../metrics/chart-chat.css';

/** A range ending this close to now is still happening: with `live` it follows now. */
const LIVE_WITHIN_MS = 2 * 60_000;
const LIVE_REFRESH_MS = 5000;
const CHART_WIDTH = 420;

const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();

/** "Dec 3, 14:05 – 14:35" or "Dec 3, 14:05 – Dec 4, 02:00". */
export function formatRange(from: number, to: number): string {
  const a = new Date(from);
  const b = new Date(to);
  return `${day.format(a)}, ${time.format(a)} – ${sameDay(a, b) ? '' : `${day.format(b)}, `}${time.format(b)}`;
}

export function MetricRefCard(props: { workspaceId: string; metricRef: MetricRef; live?: boolean }) {
  const spec = () => panelSpec(props.metricRef.metric);
  const agg = () => spec()?.aggs[0] ?? (props.metricRef.metric === 'tokens' ? 'sum' : 'avg');
  const [now, setNow] = createSignal(Date.now());
  const following = () => props.live === true && now() - props.metricRef.to < LIVE_WITHIN_MS;
  onMount(() => {
    if (!props.live) return;
    const timer = setInterval(() => setNow(Date.now()), LIVE_REFRESH_MS);
    onCleanup(() => clearInterval(timer));
  });
  const to = () => (following() ? Math.max(props.metricRef.to, now()) : props.metricRef.to);

  // The agent list is the one the dashboard caches; a name never changes.
  const agents = useQuery(() => ({
    queryKey: agentListKey(props.workspaceId),
    queryFn: () => trpc.agent.list.query({ workspaceId: props.workspaceId }),
    staleTime: 60_000,
  }));
  const agentName = () => agents.data?.find((a) => a.id === props.metricRef.agentId)?.name;
  const series = useQuery(() => ({
    queryKey: ['metricRef', props.workspaceId, props.metricRef.agentId, props.metricRef.metric, props.metricRef.from, to()],
    queryFn: () =>
      trpc.metrics.query.query({
        workspaceId: props.workspaceId,
        agentIds: [props.metricRef.agentId],
        metrics: [{ name: props.metricRef.metric, agg: agg() }],
        from: props.metricRef.from,
        to: to(),
        width: CHART_WIDTH,
      }),
    placeholderData: (previous) => previous,
    staleTime: Infinity,
  }));
  const data = createMemo<uPlot.AlignedData>(() => {
    const answer = series.data;
    return answer ? [answer.x, ...answer.series.map((s) => s.values)] : [[]];
  });
  const empty = () => series.data !== undefined && !series.data.series.some((s) => s.values.some((v) => v != null));
  const format = () => spec()?.format ?? formatCompact;

  return (
    <section class="metric-ref" data-testid="metric-ref-card" data-agent-id={props.metricRef.agentId} data-metric={props.metricRef.metric}>
      <header class="metric-ref__head">
        <span class="metric-ref__icon" aria-hidden="true">
          ◔
        </span>
        <span class="metric-ref__title">
          <strong data-testid="metric-ref-agent">{agentName() ?? 'Agent'}</strong> · {METRIC_LABELS[props.metricRef.metric]}
        </span>
        <span class="metric-ref__range" data-testid="metric-ref-range">
          {formatRange(props.metricRef.from, to())}
          <Show when={following()}>
            <span class="pill pill--live metric-ref__live">live</span>
          </Show>
        </span>
        <A class="metric-ref__open" href={dashboardHref(props.workspaceId, { ...props.metricRef, to: to() })} data-testid="metric-ref-open">
          Open in dashboard
        </A>
      </header>
      <Show when={!series.isError} fallback={<p class="metric-ref__note">Chart unavailable: {describeError(series.error).message}</p>}>
        <Show when={series.data} fallback={<div class="metric-ref__loading" aria-busy="true">Loading chart…</div>}>
          <Show when={!empty()} fallback={<p class="metric-ref__note muted">No samples in this range.</p>}>
            <TimeSeriesChart
              label={`${METRIC_LABELS[props.metricRef.metric]} of ${agentName() ?? 'the agent'}`}
              lines={[{ label: agentName() ?? 'agent', group: props.metricRef.agentId, colorVar: '--series-1' }]}
              data={data}
              frame={() => series.dataUpdatedAt}
              hidden={() => new Set<string>()}
              xRange={() => [props.metricRef.from / 1000, to() / 1000]}
              stepMs={() => series.data?.stepMs ?? 60_000}
              format={format()}
              formatTick={spec()?.formatTick}
              emptyMax={spec()?.emptyMax}
              height={150}
            />
          </Show>
        </Show>
      </Show>
    </section>
  );
}
