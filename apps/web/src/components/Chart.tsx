// The one component that owns uPlot: builds the plot once, feeds new data with setData, follows
// its container's width, and rebuilds only when the shape (series, kind, labels) changes.
import { createEffect, on, onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

export interface ChartProps {
  kind: 'line' | 'bar';
  /** One label per x position (0, 1, 2 …). */
  labels: string[];
  series: ChartSeries[];
  height?: number;
  title?: string;
  testId?: string;
  /** Value-axis labels from the value and the tick spacing; default a compact number. */
  formatTick?: (value: number, increment: number) => string;
}

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const palette = ['--chart-1', '--chart-2', '--chart-3', '--chart-4'];

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** A see-through version of a #rrggbb colour for the area under a line (canvas has no color-mix). */
function translucent(color: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}22` : color;
}

export function Chart(props: ChartProps) {
  let container!: HTMLDivElement;
  let plot: uPlot | undefined;

  const data = (): uPlot.AlignedData => [props.labels.map((_, i) => i), ...props.series.map((s) => s.values)];
  const shape = () => `${props.kind}|${props.series.map((s) => s.label).join(',')}|${props.labels.join(',')}`;

  function build() {
    plot?.destroy();
    const axisColor = cssVar('--text-muted', '#5d6473');
    const gridColor = cssVar('--border', '#e1e4ea');
    const labels = props.labels;
    const count = labels.length;
    const bars = props.kind === 'bar' ? uPlot.paths.bars?.({ size: [0.6, 64] }) : undefined;
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
    const options: uPlot.Options = {
      width: Math.max(200, container.clientWidth),
      height: props.height ?? 220,
      legend: { show: props.series.length > 1 },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: () => [-0.5, Math.max(0.5, count - 0.5)] },
        // Bars measure from zero; a line may zoom to its range.
        ...(props.kind === 'bar' ? { y: { range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max > 0 ? max * 1.08 : 1] } } : {}),
      },
      axes: [
        {
          ...axis,
          splits: () => labels.map((_, i) => i),
          values: (_u, splits) => splits.map((v) => labels[v] ?? ''),
          // Long category names: show every nth label so they do not overlap.
          filter: (_u, splits) => {
            const step = Math.max(1, Math.ceil(count / Math.max(1, Math.floor(container.clientWidth / 90))));
            return splits.map((v, i) => (i % step === 0 ? v : null));
          },
        },
        {
          ...axis,
          size: 56,
          values: (_u, splits, _axisIdx, _space, increment) =>
            splits.map((v) => (props.formatTick ? props.formatTick(v, increment) : compact.format(v))),
        },
      ],
      series: [
        { label: 'x', value: (_u, v) => (v == null ? '' : (labels[v] ?? '')) },
        ...props.series.map((s, i) => {
          const color = cssVar(palette[i % palette.length] ?? '--accent', '#4f46e5');
          return {
            label: s.label,
            stroke: color,
            width: 2,
            fill: props.kind === 'bar' ? color : translucent(color),
            points: { show: props.kind === 'line' && count <= 24 },
            ...(bars ? { paths: bars } : {}),
          };
        }),
      ],
    };
    plot = new uPlot(options, data(), container);
  }

  onMount(() => {
    build();
    const observer = new ResizeObserver(() => {
      if (plot && container.clientWidth > 0) plot.setSize({ width: container.clientWidth, height: props.height ?? 220 });
    });
    observer.observe(container);
    onCleanup(() => {
      observer.disconnect();
      plot?.destroy();
      plot = undefined;
    });
  });

  createEffect(on(shape, () => build(), { defer: true }));
  createEffect(on(data, (next) => plot?.setData(next), { defer: true }));

  return (
    <figure class="chart" data-testid={props.testId}>
      {props.title && <figcaption class="chart__title">{props.title}</figcaption>}
      <div ref={container} class="chart__plot" />
    </figure>
  );
}
