// Range picker, live/zoom bar and chart panels for some agents: the part of the Metrics page and of
// an agent's drill-down that moves.
import { createEffect, createMemo, createSignal, on, onCleanup, onMount, Show, type JSX } from 'solid-js';
import { ErrorNote } from '../components/ErrorNote.tsx';
import type { AgentRoster } from './agentRoster.ts';
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

  const zoomTo = (from: number, to: number) => {
    const now = Date.now();
    const end = Math.min(now, Math.max(to, from + MIN_ZOOM_MS));
    setZoom({ from: Math.round(Math.min(from, end - MIN_ZOOM_MS)), to: Math.round(end) });
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
            setZoom(null);
            props.onRangeChange(rangeMs);
          }}
        />
        <div class="dashboard-toolbar__controls">
          {props.controls}
          <ExportRangeButton workspaceId={props.workspaceId} agentIds={props.agentIds} window={window()} />
        </div>
      </div>
      <ZoomBar window={window()} liveState={props.live.state()} onPan={pan} onReset={() => setZoom(null)} />
      <ErrorNote message={feed.error()} testId="metrics-query-error" />
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
          onResetZoom={() => setZoom(null)}
        />
      </div>
    </div>
  );
}
