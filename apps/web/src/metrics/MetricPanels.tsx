// The grid of chart panels fed by one MetricsFeed: a card per metric with its unit and the
// resolution the server answered with, one line per agent (and per aggregate).
import { createMemo, For, onMount, Show } from 'solid-js';
import type { MetricName } from './api.ts';
import { AskAboutThis, type AskSelection } from './AskAboutThis.tsx';
import type { MetricsFeed } from './metricsFeed.ts';
import { seriesVar } from './palette.ts';
import { formatStep, type PanelSpec } from './panels.ts';
import { TimeSeriesChart, type ChartLine, type ChartMarker } from './TimeSeriesChart.tsx';

interface PanelGridProps {
  feed: MetricsFeed;
  panels: PanelSpec[];
  colorIndex: (agentId: string) => number;
  hidden: () => ReadonlySet<string>;
  syncKey: string;
  /** Outlined and scrolled into view (a dashboard link naming a metric). */
  focusMetric?: MetricName | undefined;
  /** A drag across a panel: zooms every panel, and offers to ask about that metric and range. */
  onZoom: (fromMs: number, toMs: number, metric: MetricName) => void;
  onResetZoom: () => void;
  /** The selection asked about, shown as a popover on its panel. */
  ask?: AskSelection | null;
  workspaceId: string;
  /** The agents that can be asked about (the charted ones). */
  askAgents: { id: string; name: string }[];
  onCloseAsk: () => void;
  /** Drawn on every panel (the assistant's runs on its own charts). */
  markers?: () => ChartMarker[];
}

const sourceLabels = { raw: 'raw samples', '1m': '1-minute rollups', '1h': '1-hour rollups' } as const;

function MetricPanel(props: PanelGridProps & { panel: PanelSpec }) {
  const series = createMemo(() => props.feed.seriesOf(props.panel.metric));
  const lines = createMemo<ChartLine[]>(() =>
    series().map((s) => ({
      label: props.panel.aggs.length > 1 ? `${s.agentName} ${s.agg}` : s.agentName,
      group: s.agentId,
      colorVar: seriesVar(props.colorIndex(s.agentId)),
      dashed: s.agg !== props.panel.aggs[0],
    })),
  );
  const resolution = () => {
    const source = props.feed.source();
    return props.feed.stepMs() > 0 && source ? `${formatStep(props.feed.stepMs())} buckets · ${sourceLabels[source]}` : '';
  };
  let section!: HTMLElement;
  const focused = () => props.focusMetric === props.panel.metric;
  onMount(() => focused() && section.scrollIntoView({ block: 'center' }));
  return (
    <section
      ref={section}
      class="card metric-panel"
      classList={{ 'metric-panel--focused': focused() }}
      data-testid="metric-panel"
      data-metric={props.panel.metric}
      aria-label={props.panel.title}
    >
      <header class="metric-panel__head">
        <h3 class="metric-panel__title">{props.panel.title}</h3>
        <span class="metric-panel__unit">{props.panel.unit}</span>
        <span class="metric-panel__resolution" title="Bucket width and the table that answered">
          {resolution()}
        </span>
      </header>
      <TimeSeriesChart
        label={`${props.panel.title} chart`}
        lines={lines()}
        data={() => props.feed.dataOf(series())}
        frame={props.feed.frame}
        hidden={props.hidden}
        xRange={props.feed.xRange}
        stepMs={props.feed.stepMs}
        format={props.panel.format}
        formatTick={props.panel.formatTick}
        emptyMax={props.panel.emptyMax}
        syncKey={props.syncKey}
        onZoom={(from, to) => props.onZoom(from, to, props.panel.metric)}
        onResetZoom={props.onResetZoom}
        markers={props.markers}
      />
      <Show when={props.ask?.metric === props.panel.metric && props.ask}>
        {(selection) => <AskAboutThis workspaceId={props.workspaceId} selection={selection()} agents={props.askAgents} onClose={props.onCloseAsk} />}
      </Show>
    </section>
  );
}

export function MetricPanelGrid(props: PanelGridProps) {
  return (
    <div class="metric-grid" data-testid="metric-grid" aria-busy={props.feed.loading()}>
      <For each={props.panels}>{(panel) => <MetricPanel {...props} panel={panel} />}</For>
      <Show when={props.panels.length === 0}>
        <p class="muted">No panels chosen.</p>
      </Show>
    </div>
  );
}
