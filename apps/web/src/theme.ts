// Colour theme: follow the system, or a choice stored in localStorage and set as <html data-theme>;
// and, for canvas charts that cannot use CSS, the colours the theme's variables resolve to.
import { createSignal } from 'solid-js';

export type ThemeChoice = 'system' | 'light' | 'dark';

const storageKey = 'tandem.theme';

function readStoredTheme(): ThemeChoice {
  try {
    const stored = localStorage.getItem(storageKey);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

const [theme, setThemeSignal] = createSignal<ThemeChoice>(readStoredTheme());
export { theme };

export function setTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(storageKey);
    else localStorage.setItem(storageKey, choice);
  } catch {
    // Storage unavailable: the choice lasts for this page only.
  }
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  setThemeSignal(choice);
}

const order: ThemeChoice[] = ['system', 'light', 'dark'];

export function cycleTheme(): void {
  setTheme(order[(order.indexOf(theme()) + 1) % order.length] ?? 'system');
}

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');
const [systemDark, setSystemDark] = createSignal(darkQuery.matches);
darkQuery.addEventListener('change', (event) => setSystemDark(event.matches));

/** Changes whenever the colours the CSS variables resolve to may have changed. */
export const colorSchemeKey = (): string => `${theme()}|${systemDark()}`;

/** The current value of a CSS custom property (a colour), for drawing on a canvas. */
export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}
