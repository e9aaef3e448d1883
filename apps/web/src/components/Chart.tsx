// The one component that owns uPlot; chart kinds (CategoryChart, TimeSeriesChart) configure it.
import { createEffect, on, onCleanup, onMount, splitProps, type JSX } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** uPlot options without the size, which the chart takes from its container. */
export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

export interface ChartProps extends Omit<JSX.HTMLAttributes<HTMLDivElement>, 'ref' | 'children'> {
  /** A new object rebuilds the plot; keep it in a memo keyed on what really changes its shape. */
  options: ChartOptions;
  /** A new value is drawn with setData on the existing plot. */
  data: uPlot.AlignedData;
  height: number;
  /** The plot after each (re)build, and undefined once it is destroyed: for setSeries and the like. */
  onPlot?: (plot: uPlot | undefined) => void;
}

/** Narrower than this, a plot is built at this width anyway (a hidden container reads 0). */
const MIN_WIDTH = 200;

/**
 * Builds the plot from aligned data and options, draws new data with setData, rebuilds only when
 * it is given new options, follows its container's width and destroys the plot on cleanup.
 */
export function Chart(props: ChartProps) {
  const [own, attributes] = splitProps(props, ['options', 'data', 'height', 'onPlot']);
  let container!: HTMLDivElement;
  let plot: uPlot | undefined;

  const destroy = () => {
    plot?.destroy();
    plot = undefined;
    own.onPlot?.(undefined);
  };

  const build = (options: ChartOptions, data: uPlot.AlignedData) => {
    destroy();
    plot = new uPlot({ ...options, width: Math.max(MIN_WIDTH, container.clientWidth), height: own.height }, data, container);
    own.onPlot?.(plot);
  };

  // One effect for both, so new options with new data build once instead of building and then
  // drawing the same data again.
  createEffect(
    on(
      [() => own.options, () => own.data] as const,
      ([options, data], previous) => {
        if (!plot || previous?.[0] !== options) build(options, data);
        else plot.setData(data);
      },
    ),
  );

  onMount(() => {
    const observer = new ResizeObserver(() => {
      if (plot && container.clientWidth > 0 && container.clientWidth !== plot.width)
        plot.setSize({ width: container.clientWidth, height: own.height });
    });
    observer.observe(container);
    onCleanup(() => observer.disconnect());
  });
  onCleanup(destroy);

  return <div ref={container} {...attributes} />;
}
