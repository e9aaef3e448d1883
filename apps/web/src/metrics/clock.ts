// One shared ticking clock for "12 s ago" labels: a single timer however many labels show.
import { createSignal, getOwner, onCleanup } from 'solid-js';

const [now, setNow] = createSignal(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/** The current time in ms, updated every second while at least one component uses it. */
export function useNow(): () => number {
  if (getOwner()) {
    if (users++ === 0) {
      setNow(Date.now());
      timer = setInterval(() => setNow(Date.now()), 1000);
    }
    onCleanup(() => {
      if (--users === 0) clearInterval(timer);
    });
  }
  return now;
}

/** "just now", "12 s ago", "3 min ago", "2 h ago", "4 d ago". */
export function formatAgo(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}
