// When to try a batch again: which answers are worth retrying, exponential backoff with full
// jitter, and the server's Retry-After when it gives one.

/** Network errors, overload and outages pass; 400/401/413 and the like never will. */
export const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/** Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): uniform in [0, min(cap, base·2^n)]. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/** Retry-After as delta-seconds or an HTTP date → milliseconds from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
