// The data behind a set of chart panels: history from metrics.query for the visible window, then,
// while the window ends at "now", live points folded in and old buckets trimmed.
import { createEffect, createMemo, createSignal, on, onCleanup, type Accessor } from 'solid-js';
import type uPlot from 'uplot';
import { describeError } from '../errors.ts';
import type { LivePoint, MetricName } from './api.ts';
import type { LiveMetrics } from './liveMetrics.ts';
import type { PanelSpec } from './panels.ts';
import { appendLivePoints, makeSeriesBuffer, showLastBucket, trimBefore, type BufferedSeries, type SeriesBuffer } from './seriesBuffer.ts';
import { trpc } from '../trpc.ts';

/** A range ending now that follows live data, or a fixed window (after zooming or panning). */
export type TimeWindow = { live: true; rangeMs: number } | { live: false; from: number; to: number };

interface FeedOptions {
  workspaceId: Accessor<string>;
  /** Undefined: every agent of the workspace. */
  agentIds: Accessor<string[] | undefined>;
  panels: Accessor<PanelSpec[]>;
  window: Accessor<TimeWindow>;
  /** Width of one chart in pixels; the server picks about one bucket per 2 px. */
  width: Accessor<number>;
  /** Changes when agents appear, so their series are loaded. */
  agentsKey: Accessor<string>;
  live: LiveMetrics;
}

/**
 * At most this share of the main thread goes to applying live data and redrawing: charts with
 * hundreds of thousands of points (50 ms a redraw) update a few times a second instead of on every
 * batch, and the page stays responsive; small ones still update on every frame.
 */
const REDRAW_BUDGET = 0.2;

/** Live points kept while history loads; beyond this the oldest are dropped (a reload follows). */
const MAX_QUEUED_POINTS = 50_000;

/**
 * History comes from metrics.query (the server picks the step, so a zoomed window comes back at a
 * finer resolution). Live batches are queued and applied once per animation frame; charts redraw
 * on `frame`, never on the arrays themselves.
 */
export function createMetricsFeed(options: FeedOptions) {
  let buffer: SeriesBuffer | null = null;
  let queued: LivePoint[] = [];
  let generation = 0;
  /** The live stream's generation when the current history was asked for. */
  let loadedAtLive = -1;
  let frameRequest = 0;
  let frameDelay: ReturnType<typeof setTimeout> | undefined;
  /** performance.now() before which the next redraw waits (set from the cost of the last one). */
  let nextFrameAt = 0;
  const [frame, setFrame] = createSignal(0);
  const [loaded, setLoaded] = createSignal<{ stepMs: number; source: SeriesBuffer['source']; series: BufferedSeries[] } | null>(null);
  const [loading, setLoading] = createSignal(true);
  const [error, setError] = createSignal<string | null>(null);

  const windowMs = (): [number, number] => {
    const w = options.window();
    if (!w.live) return [w.from, w.to];
    const now = Date.now();
    return [now - w.rangeMs, now];
  };

  const flush = () => {
    frameRequest = 0;
    const started = performance.now();
    if (buffer && !loading()) {
      if (queued.length > 0) appendLivePoints(buffer, queued);
      queued = [];
      if (options.window().live) trimBefore(buffer, windowMs()[0] / 1000);
      showLastBucket(buffer, Date.now());
    }
    setFrame((n) => n + 1);
    // Charts redraw in a microtask queued by setData; this one runs after them.
    queueMicrotask(() => {
      const cost = performance.now() - started;
      nextFrameAt = performance.now() + cost * (1 / REDRAW_BUDGET - 1);
    });
  };
  const requestFrame = () => {
    if (frameRequest !== 0 || frameDelay !== undefined) return;
    const wait = nextFrameAt - performance.now();
    if (wait <= 0) {
      frameRequest = requestAnimationFrame(flush);
      return;
    }
    frameDelay = setTimeout(() => {
      frameDelay = undefined;
      frameRequest = requestAnimationFrame(flush);
    }, wait);
  };
  onCleanup(() => {
    cancelAnimationFrame(frameRequest);
    clearTimeout(frameDelay);
  });

  const metrics = createMemo(() => options.panels().flatMap((p) => p.aggs.map((agg) => ({ name: p.metric, agg }))));
  const widthBucket = createMemo(() => Math.max(200, Math.round(options.width() / 100) * 100));
  const queryKey = createMemo(() =>
    JSON.stringify([options.workspaceId(), options.agentIds(), metrics(), options.window(), widthBucket(), options.agentsKey()]),
  );

  async function load() {
    const mine = ++generation;
    loadedAtLive = options.live.generation();
    const [from, to] = windowMs();
    const agentIds = options.agentIds();
    setLoading(true);
    queued = [];
    try {
      const output = await trpc.metrics.query.query({
        workspaceId: options.workspaceId(),
        ...(agentIds && agentIds.length > 0 ? { agentIds } : {}),
        metrics: metrics(),
        from: Math.floor(from),
        to: Math.ceil(to),
        width: widthBucket(),
      });
      if (mine !== generation) return;
      buffer = makeSeriesBuffer(output);
      setLoaded({ stepMs: output.stepMs, source: output.source, series: buffer.series });
      setError(null);
    } catch (cause) {
      if (mine !== generation) return;
      setError(describeError(cause).message);
    } finally {
      if (mine === generation) {
        setLoading(false);
        requestFrame();
      }
    }
  }

  createEffect(on(queryKey, () => void (options.workspaceId() && load())));
  // History asked for before the stream (re)started may miss what happened in between.
  options.live.onLive(() => {
    if (loadedAtLive !== options.live.generation()) void load();
  });
  options.live.onBatch((batch) => {
    // The server left points out for this subscriber (it was too slow): the range is reloaded.
    if (batch.dropped) void load();
    if (!options.window().live || batch.points.length === 0) return;
    queued.push(...batch.points);
    if (queued.length > MAX_QUEUED_POINTS) queued.splice(0, queued.length - MAX_QUEUED_POINTS);
    requestFrame();
  });

  // A live range slides with the clock even when no agent reports.
  createEffect(() => {
    const w = options.window();
    if (!w.live) return;
    const tick = setInterval(requestFrame, Math.min(10_000, Math.max(1000, w.rangeMs / 1000)));
    onCleanup(() => clearInterval(tick));
  });

  return {
    frame,
    loading,
    error,
    stepMs: () => loaded()?.stepMs ?? 0,
    source: () => loaded()?.source,
    /** The series of one panel (reactive: changes when history is reloaded). */
    seriesOf(metric: MetricName): BufferedSeries[] {
      return (loaded()?.series ?? []).filter((s) => s.metric === metric);
    },
    /** uPlot data of one panel; read it when `frame` changes, do not track it. */
    dataOf(series: BufferedSeries[]): uPlot.AlignedData {
      return [buffer?.x ?? [], ...series.map((s) => s.values)];
    },
    /** The visible x range in epoch seconds, at the time of the call. */
    xRange(): [number, number] {
      const [from, to] = windowMs();
      return [from / 1000, to / 1000];
    },
    reload: () => void load(),
  };
}

export type MetricsFeed = ReturnType<typeof createMetricsFeed>;
