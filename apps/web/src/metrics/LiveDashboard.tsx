// Range picker, live/zoom bar and chart panels for some agents: the part of the Metrics page and of
// an agent's drill-down that moves.
import { createEffect, createMemo, createSignal, on, onCleanup, onMount, Show, type JSX } from 'solid-js';
import { useQuery } from '@tanstack/solid-query';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { describeError } from '../errors.ts';
import { trpc } from '../trpc.ts';
import type { AgentRoster } from './agentRoster.ts';
import type { AskSelection } from './AskAboutThis.tsx';
import type { LiveMetrics } from './liveMetrics.ts';
import { createMetricsFeed, type TimeWindow } from './metricsFeed.ts';
import { MetricPanelGrid } from './MetricPanels.tsx';
import type { MetricName } from './api.ts';
import type { PanelSpec } from './panels.ts';
import { RangePicker } from './RangePicker.tsx';
import { SeriesLegend } from './SeriesLegend.tsx';
import { ZoomBar } from './ZoomBar.tsx';
import { ExportRangeButton } from './ExportRangeButton.tsx';

/** Narrower than this is not worth a query: the server's finest step is one second. */
const MIN_ZOOM_MS = 30_000;
/** A live chart's run markers are asked for again this often (a run is a sample when it finishes). */
const MARKERS_REFRESH_MS = 10_000;

export function LiveDashboard(props: {
  workspaceId: string;
  live: LiveMetrics;
  roster: AgentRoster;
  /** Empty: every agent. */
  agentIds: string[];
  panels: PanelSpec[];
  rangeMs: number;
  onRangeChange: (rangeMs: number) => void;
  /** More toolbar controls, right of the range picker. */
  controls?: JSX.Element;
  syncKey: string;
  /** A fixed window to show (a dashboardHref's from/to); a new one replaces the zoom. */
  initialZoom?: { from: number; to: number } | null;
  /** The panel to bring into view and outline (a dashboardHref's metric). */
  focusMetric?: MetricName | undefined;
  /** Marks the assistant's runs (agent.runMarkers) on the charts of this one agent, linking to their turns. */
  runMarkersOf?: string | undefined;
}) {
  let grid!: HTMLDivElement;
  // The zoom is owned here: a drag on any panel zooms all of them into a fixed window (reloaded at
  // the resolution that window allows); reset goes back to live.
  const [zoom, setZoom] = createSignal<{ from: number; to: number } | null>(props.initialZoom ?? null);
  createEffect(
    on(
      () => (props.initialZoom ? `${props.initialZoom.from}-${props.initialZoom.to}` : ''),
      (key) => key && props.initialZoom && setZoom({ from: props.initialZoom.from, to: props.initialZoom.to }),
      { defer: true },
    ),
  );
  const [gridWidth, setGridWidth] = createSignal(1000);
  /** The last drag's metric and range, offered to the assistant until closed or the zoom is reset. */
  const [ask, setAsk] = createSignal<AskSelection | null>(null);
  const [hidden, setHidden] = createSignal<ReadonlySet<string>>(new Set());
  const charted = () => props.roster.agents().filter((a) => props.agentIds.length === 0 || props.agentIds.includes(a.id));
  const toggleAgent = (agentId: string) =>
    setHidden((current) => {
      const next = new Set(current);
      if (!next.delete(agentId)) next.add(agentId);
      return next;
    });

  onMount(() => {
    const observer = new ResizeObserver(() => grid.clientWidth > 0 && setGridWidth(grid.clientWidth));
    observer.observe(grid);
    onCleanup(() => observer.disconnect());
  });

  const window = createMemo(
    (): TimeWindow => {
      const fixed = zoom();
      return fixed ? { live: false, ...fixed } : { live: true, rangeMs: props.rangeMs };
    },
    undefined,
    { equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) },
  );

  const feed = createMetricsFeed({
    workspaceId: () => props.workspaceId,
    agentIds: () => (props.agentIds.length > 0 ? props.agentIds : undefined),
    panels: () => props.panels,
    window,
    // Two panels a row on wide screens (see .metric-grid).
    width: () => (gridWidth() >= 860 ? gridWidth() / 2 : gridWidth()) - 90,
    agentsKey: () => props.roster.agents().map((a) => a.id).join(','),
    live: props.live,
  });

  // A live window asks for its last rangeMs when (re)fetched; a fixed one for exactly its range.
  const markerQuery = useQuery(() => {
    const w = window();
    return {
      queryKey: ['agent.runMarkers', props.workspaceId, props.runMarkersOf, w],
      queryFn: () => {
        const to = w.live ? Date.now() : w.to;
        return trpc.agent.runMarkers.query({ workspaceId: props.workspaceId, agentId: props.runMarkersOf ?? '', from: w.live ? to - w.rangeMs : w.from, to });
      },
      enabled: !!props.runMarkersOf && props.workspaceId !== '',
      refetchInterval: w.live ? MARKERS_REFRESH_MS : false,
    };
  });
  const markers = createMemo(() =>
    (markerQuery.data ?? []).map((m) => ({ at: m.at, title: m.title, href: `/w/${props.workspaceId}/sessions/${m.conversationId}#message-${m.messageId}` })),
  );

  const zoomTo = (from: number, to: number, metric: MetricName) => {
    const now = Date.now();
    const end = Math.min(now, Math.max(to, from + MIN_ZOOM_MS));
    const window = { from: Math.round(Math.min(from, end - MIN_ZOOM_MS)), to: Math.round(end) };
    setZoom(window);
    setAsk({ metric, ...window });
  };
  const resetZoom = () => {
    setZoom(null);
    setAsk(null);
  };

  const pan = (direction: -1 | 1) => {
    const current = window();
    const [from, to] = current.live ? [Date.now() - current.rangeMs, Date.now()] : [current.from, current.to];
    const shift = ((to - from) / 2) * direction;
    const end = Math.min(Date.now(), to + shift);
    setZoom({ from: Math.round(end - (to - from)), to: Math.round(end) });
  };

  return (
    <div class="live-dashboard">
      <div class="dashboard-toolbar">
        <RangePicker
          rangeMs={props.rangeMs}
          active={window().live}
          onChange={(rangeMs) => {
            resetZoom();
            props.onRangeChange(rangeMs);
          }}
        />
        <div class="dashboard-toolbar__controls">
          {props.controls}
          <ExportRangeButton workspaceId={props.workspaceId} agentIds={props.agentIds} window={window()} />
        </div>
      </div>
      <ZoomBar window={window()} liveState={props.live.state()} onPan={pan} onReset={resetZoom} />
      <ErrorNote message={feed.error()} testId="metrics-query-error" />
      <Show when={props.runMarkersOf}>
        <p class="run-markers" data-testid="run-markers-legend">
          <span class="run-markers__legend-mark" aria-hidden="true" />
          {markers().length > 0
            ? `${markers().length === 1 ? 'One answer' : `${markers().length} answers`} of the assistant in this range: click a marker to open the question that caused it.`
            : 'Each answer of the assistant in this range is marked on the charts, linking to the question that caused it.'}
        </p>
      </Show>
      <Show when={markerQuery.isError}>
        <ErrorNote message={`The assistant's runs could not be marked: ${describeError(markerQuery.error).message}`} testId="run-markers-error" />
      </Show>
      <Show when={props.live.error()}>
        {(message) => <ErrorNote message={`Live updates stopped: ${message()}`} testId="metrics-live-error" />}
      </Show>
      <Show when={charted().length > 1}>
        <SeriesLegend agents={charted()} hidden={hidden()} onToggle={toggleAgent} />
      </Show>
      <div ref={grid}>
        <MetricPanelGrid
          feed={feed}
          panels={props.panels}
          colorIndex={props.roster.colorIndex}
          hidden={hidden}
          syncKey={props.syncKey}
          focusMetric={props.focusMetric}
          onZoom={zoomTo}
          onResetZoom={resetZoom}
          workspaceId={props.workspaceId}
          ask={ask()}
          askAgents={charted().filter((a) => !hidden().has(a.id))}
          onCloseAsk={() => setAsk(null)}
          markers={props.runMarkersOf ? markers : undefined}
        />
      </div>
    </div>
  );
}
