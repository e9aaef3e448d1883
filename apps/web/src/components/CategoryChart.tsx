// A small line or bar chart over named categories (a tool call's rows, costs per day): one x
// position per label, one coloured series per value column, drawn by <Chart>.
import { createMemo, on } from 'solid-js';
import uPlot from 'uplot';
import { cssVar } from '../theme.ts';
import { Chart, type ChartOptions } from './Chart.tsx';

export interface CategorySeries {
  label: string;
  values: (number | null)[];
}

export interface CategoryChartProps {
  kind: 'line' | 'bar';
  /** One label per x position (0, 1, 2 …). */
  labels: string[];
  series: CategorySeries[];
  height?: number;
  title?: string;
  testId?: string;
  /** Value-axis labels from the value and the tick spacing; default a compact number. */
  formatTick?: (value: number, increment: number) => string;
}

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const palette = ['--chart-1', '--chart-2', '--chart-3', '--chart-4'];
/** Room one x label needs before labels are thinned out. */
const LABEL_PX = 90;

/** A see-through version of a #rrggbb colour for the area under a line (canvas has no color-mix). */
function translucent(color: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}22` : color;
}

function makeCategoryOptions(props: CategoryChartProps): ChartOptions {
  const axisColor = cssVar('--text-muted', '#5d6473');
  const gridColor = cssVar('--border', '#e1e4ea');
  const labels = props.labels;
  const count = labels.length;
  const bars = props.kind === 'bar' ? uPlot.paths.bars?.({ size: [0.6, 64] }) : undefined;
  const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
  return {
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
        filter: (u, splits) => {
          const step = Math.max(1, Math.ceil(count / Math.max(1, Math.floor(u.width / LABEL_PX))));
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
}

export function CategoryChart(props: CategoryChartProps) {
  // Rebuilt only when the kind, the series or the categories change; new values are just redrawn.
  const shape = () => `${props.kind}|${props.series.map((s) => s.label).join(',')}|${props.labels.join(',')}`;
  const options = createMemo(on(shape, () => makeCategoryOptions(props)));
  const data = createMemo((): uPlot.AlignedData => [props.labels.map((_, i) => i), ...props.series.map((s) => s.values)]);

  return (
    <figure class="chart" data-testid={props.testId}>
      {props.title && <figcaption class="chart__title">{props.title}</figcaption>}
      <Chart class="chart__plot" options={options()} data={data()} height={props.height ?? 220} />
    </figure>
  );
}
