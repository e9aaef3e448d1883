// One metric of the agents a replayed session discussed, over the session's span, with a vertical
// cursor at the playback time. Drawn by <Chart>; the cursor is painted in uPlot's draw hook and a
// moving cursor only redraws (no rebuild, no new data).
import { createEffect, createMemo, For, on } from 'solid-js';
import type uPlot from 'uplot';
import { Chart, type ChartOptions } from '../components/Chart.tsx';
import { tooltipPlugin } from '../metrics/chartTooltip.ts';
import { METRIC_LABELS, metricFormat } from '../metrics/panels.ts';
import { seriesVar } from '../metrics/palette.ts';
import { colorSchemeKey, cssVar } from '../theme.ts';
import type { ReplayData } from './replayData.ts';

type ReplayChartData = ReplayData['charts'][number];

const clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });

export function ReplayChart(props: { chart: ReplayChartData; range: { from: number; to: number }; cursorMs: number }) {
  let plot: uPlot | undefined;
  const format = createMemo(() => metricFormat(props.chart.metric));
  const data = createMemo((): uPlot.AlignedData => [props.chart.x, ...props.chart.series.map((s) => s.values)]);
  const hasData = createMemo(() => props.chart.series.some((s) => s.values.some((v) => v !== null)));

  // Gaps narrower than three buckets are an agent's reporting interval, not an outage: bridged (as on the dashboard).
  const refineGaps: uPlot.Series.GapsRefiner = (u, _seriesIdx, _idx0, _idx1, gaps) => {
    const min = u.scales.x?.min ?? 0;
    const bridge = u.valToPos(min + (3 * props.chart.stepMs) / 1000, 'x', true) - u.valToPos(min, 'x', true);
    return gaps.filter(([from, to]) => to - from > bridge);
  };

  const options = createMemo(on([colorSchemeKey, () => props.chart], (): ChartOptions => {
    const axisColor = cssVar('--text-muted', '#5d6473');
    const gridColor = cssVar('--border', '#e1e4ea');
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
    return {
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: true, range: () => [props.range.from / 1000, props.range.to / 1000] },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
      },
      axes: [
        { ...axis, space: 90, values: (_u, splits) => splits.map((v) => clock.format(new Date(v * 1000))) },
        { ...axis, size: 64, values: (_u, splits) => splits.map((v) => format()(v)) },
      ],
      series: [
        {},
        ...props.chart.series.map((s, i) => ({ label: s.agentName, stroke: cssVar(seriesVar(i), '#4f46e5'), width: 1.5, gaps: refineGaps, points: { size: 4 } })),
      ],
      hooks: {
        draw: [
          (u) => {
            // The playback time: a line across the plot, in the accent colour.
            const x = u.valToPos(props.cursorMs / 1000, 'x', true);
            if (!(x >= u.bbox.left && x <= u.bbox.left + u.bbox.width)) return;
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = cssVar('--accent', '#4f46e5');
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
      plugins: [tooltipPlugin((v) => format()(v))],
    };
  }));

  createEffect(on(() => props.cursorMs, () => plot?.redraw(false, false), { defer: true }));

  return (
    <section class="replay-chart card" data-testid="replay-chart" data-metric={props.chart.metric} aria-label={`${METRIC_LABELS[props.chart.metric]} during the session`}>
      <header class="replay-chart__head">
        <h3 class="replay-chart__title">
          {METRIC_LABELS[props.chart.metric]} <span class="muted">· {props.chart.agg}</span>
        </h3>
        <ul class="replay-chart__legend">
          <For each={props.chart.series}>
            {(s, i) => (
              <li>
                <span class="replay-chart__swatch" style={{ background: `var(${seriesVar(i())})` }} aria-hidden="true" />
                {s.agentName}
              </li>
            )}
          </For>
        </ul>
      </header>
      <Chart
        class="replay-chart__plot"
        classList={{ 'replay-chart__plot--empty': !hasData() }}
        role="img"
        aria-label={`${METRIC_LABELS[props.chart.metric]} of ${props.chart.series.map((s) => s.agentName).join(', ')}`}
        data-cursor-ms={Math.round(props.cursorMs)}
        data-points={props.chart.x.length}
        options={options()}
        data={data()}
        height={170}
        onPlot={(next) => (plot = next)}
      />
      <p class="muted replay-chart__note" hidden={hasData()}>
        No samples from these agents during the session.
      </p>
    </section>
  );
}
