// The time-series chart of a metric panel, drawn by <Chart>: x range from the caller, drag to zoom,
// double-click to reset, crosshair tooltip, and optional markers linking somewhere (the assistant's runs).
import { A } from '@solidjs/router';
import { createEffect, createMemo, createSignal, For, on, Show, type Accessor } from 'solid-js';
import { Portal } from 'solid-js/web';
import type uPlot from 'uplot';
import { Chart, type ChartOptions } from '../components/Chart.tsx';
import { colorSchemeKey, cssVar } from '../theme.ts';
import { tooltipPlugin } from './chartTooltip.ts';

export interface ChartLine {
  label: string;
  /** Lines of one group (an agent) are hidden and shown together. */
  group: string;
  /** CSS variable holding the line colour. */
  colorVar: string;
  dashed?: boolean;
}

/** A point in time on the chart that links somewhere (the conversation turn behind an assistant run). */
export interface ChartMarker {
  /** Epoch ms. */
  at: number;
  href: string;
  title: string;
}

interface TimeSeriesChartProps {
  lines: ChartLine[];
  /** Read (untracked) whenever `frame` changes. */
  data: () => uPlot.AlignedData;
  frame: Accessor<number>;
  /** Groups whose lines are hidden. */
  hidden: Accessor<ReadonlySet<string>>;
  /** Visible x range in epoch seconds. */
  xRange: () => [number, number];
  /** Bucket width: gaps narrower than three buckets are jitter and get bridged. */
  stepMs: () => number;
  format: (value: number) => string;
  formatTick?: (value: number, increment: number) => string;
  /** Top of the value axis while all values are zero or missing. */
  emptyMax?: number;
  height?: number;
  /** Charts with the same key share the crosshair. */
  syncKey?: string;
  onZoom?: (fromMs: number, toMs: number) => void;
  onResetZoom?: () => void;
  label: string;
  markers?: Accessor<ChartMarker[]>;
}

const MIN_SELECTION_PX = 6;
const DEFAULT_HEIGHT = 200;

const clockSeconds = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
const clockMinutes = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayOnly = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/**
 * One short line per time tick, as precise as the tick spacing; midnights name the day (uPlot's
 * default adds a second date line that collides with its neighbours on narrow panels).
 */
function timeTicks(_u: uPlot, splits: number[], _axisIdx: number, _space: number, increment: number): string[] {
  return splits.map((v) => {
    const at = new Date(v * 1000);
    if (increment >= 86_400 || (at.getHours() === 0 && at.getMinutes() === 0 && at.getSeconds() === 0)) return dayOnly.format(at);
    return (increment < 60 ? clockSeconds : clockMinutes).format(at);
  });
}

/** What a chart holds, kept on its element for tests and tools: bucket count, newest bucket, lines. */
function describeData(data: uPlot.AlignedData) {
  const x = data[0];
  let empty = true;
  for (let i = 1; i < data.length && empty; i++) empty = !(data[i] as (number | null)[]).some((v) => v != null);
  return { points: x.length, lastX: String(x[x.length - 1] ?? ''), series: data.length - 1, empty };
}

/**
 * Options are built once per set of lines (and colour scheme); data is handed over when `frame`
 * changes; the x range is a sliding live window or a zoomed one. Lines are hidden and shown by
 * group from outside (one legend serves every panel).
 */
export function TimeSeriesChart(props: TimeSeriesChartProps) {
  let plot: uPlot | undefined;
  /** The plot and a count of its re-layouts (scale, size), for placing markers over it. */
  const [shown, setShown] = createSignal<uPlot | undefined>(undefined);
  const [layout, setLayout] = createSignal(0);
  const relayout = () => void setLayout((n) => n + 1);

  const shape = createMemo(() => `${colorSchemeKey()}|${props.lines.map((l) => `${l.label}:${l.colorVar}:${l.dashed ?? false}`).join(',')}`);
  // Read when the frame ticks, and with new lines (their data may have come before the next frame).
  const data = createMemo(on([props.frame, shape], () => props.data()), undefined, { equals: false });
  const described = createMemo(() => describeData(data()));

  const refineGaps: uPlot.Series.GapsRefiner = (u, _seriesIdx, _idx0, _idx1, gaps) => {
    const min = u.scales.x?.min ?? 0;
    const bridge = u.valToPos(min + (3 * props.stepMs()) / 1000, 'x', true) - u.valToPos(min, 'x', true);
    return gaps.filter(([from, to]) => to - from > bridge);
  };

  /**
   * Where lines are too dense for dots, still dots for values with no neighbour close enough to
   * draw a line to (a single sample in a wide range would otherwise be invisible).
   */
  const isolatedPoints: uPlot.Series.Points.Filter = (u, seriesIdx, show, gaps) => {
    // Dots for all, or a line with no gaps: then no value stands alone (the common, big case).
    if (show || !gaps || gaps.length === 0) return null;
    const xs = u.data[0];
    const ys = u.data[seriesIdx];
    if (!ys) return null;
    const bridge = (3 * props.stepMs()) / 1000;
    const [from, to] = u.series[0]?.idxs ?? [0, xs.length - 1];
    const found: number[] = [];
    let prevX = -Infinity;
    let candidate = -1;
    let aloneOnTheLeft = false;
    for (let i = from; i <= to; i++) {
      if (ys[i] == null) continue;
      const x = xs[i] ?? 0;
      if (candidate >= 0 && aloneOnTheLeft && x - (xs[candidate] ?? 0) > bridge) found.push(candidate);
      aloneOnTheLeft = x - prevX > bridge;
      prevX = x;
      candidate = i;
    }
    if (candidate >= 0 && aloneOnTheLeft) found.push(candidate);
    return found.length > 0 ? found : null;
  };

  function makeOptions(): ChartOptions {
    const axisColor = cssVar('--text-muted', '#5d6473');
    const gridColor = cssVar('--border', '#e1e4ea');
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
    return {
      legend: { show: false },
      cursor: {
        drag: { x: true, y: false, setScale: false },
        points: { size: 6 },
        ...(props.syncKey
          ? {
              sync: {
                key: props.syncKey,
                setSeries: false,
                // Share the crosshair only: a drag zooms every panel through onZoom, once.
                filters: { pub: (type: string) => type === 'mousemove' || type === 'mouseleave' },
              },
            }
          : {}),
        bind: {
          dblclick: () => () => {
            props.onResetZoom?.();
            return null;
          },
        },
      },
      scales: {
        x: { time: true, range: () => props.xRange() },
        // Every metric here is zero or more: measured from zero, with room above the highest
        // value; flat or empty data gets the panel's usual scale instead of uPlot's 0–100.
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : (props.emptyMax ?? 1)] },
      },
      axes: [
        { ...axis, space: 80, values: timeTicks },
        {
          ...axis,
          size: 64,
          values: (_u, splits, _axisIdx, _space, increment) =>
            splits.map((v) => (props.formatTick ? props.formatTick(v, increment) : props.format(v))),
        },
      ],
      series: [
        {},
        ...props.lines.map((line) => ({
          label: line.label,
          show: !props.hidden().has(line.group),
          stroke: cssVar(line.colorVar, '#4f46e5'),
          width: 1.5,
          ...(line.dashed ? { dash: [6, 4] } : {}),
          gaps: refineGaps,
          points: { size: 5, filter: isolatedPoints },
        })),
      ],
      hooks: {
        setScale: [relayout],
        setSize: [relayout],
        ready: [relayout],
        setSelect: [
          (u) => {
            const { left, width } = u.select;
            if (width >= MIN_SELECTION_PX) props.onZoom?.(u.posToVal(left, 'x') * 1000, u.posToVal(left + width, 'x') * 1000);
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
      },
      plugins: [tooltipPlugin((v) => props.format(v))],
    };
  }
  const options = createMemo(on(shape, makeOptions));

  createEffect(
    on(
      props.hidden,
      (hidden) => {
        if (!plot) return;
        const target = plot;
        target.batch(() => props.lines.forEach((line, i) => target.setSeries(i + 1, { show: !hidden.has(line.group) })));
      },
      { defer: true },
    ),
  );

  /** Markers inside the plotted range, at their x position in CSS pixels of the plot area. */
  const placed = createMemo(() => {
    layout();
    const p = shown();
    const markers = props.markers?.() ?? [];
    if (!p || markers.length === 0) return [];
    const width = p.over.clientWidth;
    return markers
      .map((m) => ({ ...m, left: p.valToPos(m.at / 1000, 'x') }))
      .filter((m) => Number.isFinite(m.left) && m.left >= 0 && m.left <= width);
  });

  const chart = (
    <Chart
      class={described().empty ? 'ts-chart__plot ts-chart__plot--empty' : 'ts-chart__plot'}
      role="img"
      aria-label={props.label}
      data-testid="ts-chart"
      data-points={described().points}
      data-last-x={described().lastX}
      data-series={described().series}
      options={options()}
      data={data()}
      height={props.height ?? DEFAULT_HEIGHT}
      onPlot={(next) => {
        plot = next;
        setShown(next);
      }}
    />
  );
  return (
    <>
      {chart}
      <Show when={props.markers && shown()}>
        {(p) => (
          <Portal mount={p().over}>
            <div class="run-marker-layer" style={{ '--marker-line': `${p().over.clientHeight - 8}px` }} data-testid="run-markers">
              <For each={placed()}>
                {(m) => (
                  <>
                    <span class="run-marker-line" style={{ left: `${m.left}px` }} aria-hidden="true" />
                    <A
                      class="run-marker"
                      href={m.href}
                      title={m.title}
                      aria-label={m.title}
                      data-testid="run-marker"
                      style={{ left: `${m.left}px` }}
                      // uPlot starts a drag selection on mousedown in the plot: a click on a marker is not one.
                      onMouseDown={(event) => event.stopPropagation()}
                    />
                  </>
                )}
              </For>
            </div>
          </Portal>
        )}
      </Show>
    </>
  );
}
