// Agent colours: the n-th agent of the workspace (by name) has the same colour in every chart,
// legend and status card. The colours are CSS variables (--series-1 … --series-10, light and
// dark); charts read them when they are built and rebuild when the colour scheme changes.
import { createSignal } from 'solid-js';
import { theme } from '../theme.ts';

const SERIES_COLORS = 10;

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');
const [systemDark, setSystemDark] = createSignal(darkQuery.matches);
darkQuery.addEventListener('change', (event) => setSystemDark(event.matches));

/** Changes whenever the colours the variables resolve to may have changed. */
export const colorSchemeKey = (): string => `${theme()}|${systemDark()}`;

export function seriesVar(index: number): string {
  return `--series-${(((index % SERIES_COLORS) + SERIES_COLORS) % SERIES_COLORS) + 1}`;
}

export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}
