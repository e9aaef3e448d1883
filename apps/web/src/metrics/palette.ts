// Agent colours: the n-th agent of the workspace (by name) has the same colour in every chart,
// legend and status card.

// The colours are CSS variables (--series-1 … --series-10, light and dark); charts read them when
// they are built and rebuild when the colour scheme changes.
const SERIES_COLORS = 10;

export function seriesVar(index: number): string {
  return `--series-${(((index % SERIES_COLORS) + SERIES_COLORS) % SERIES_COLORS) + 1}`;
}
