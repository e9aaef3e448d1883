// Colour theme: follow the system, or a choice stored in localStorage and set as <html data-theme>.
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
