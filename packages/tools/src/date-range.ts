// Date parameters of the tools: loose ISO forms (YYYY, YYYY-MM, YYYY-MM-DD or a date-time), resolved
// to a half-open UTC range [from, to). A date `to` is inclusive: the whole day, month or year counts.
import { z } from 'zod';

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Start of the period a date string names, or (edge 'end') the start of the period after it. */
export function parseDateBound(value: string, edge: 'start' | 'end'): Date | null {
  const s = value.trim();
  const m = DATE_RE.exec(s);
  if (m) {
    const year = Number(m[1]);
    const month = m[2] === undefined ? undefined : Number(m[2]);
    const day = m[3] === undefined ? undefined : Number(m[3]);
    if (month !== undefined && (month < 1 || month > 12)) return null;
    const start = new Date(Date.UTC(year, (month ?? 1) - 1, day ?? 1));
    if (day !== undefined && start.getUTCDate() !== day) return null;
    if (edge === 'start') return start;
    if (day !== undefined) return new Date(Date.UTC(year, month! - 1, day + 1));
    if (month !== undefined) return new Date(Date.UTC(year, month, 1));
    return new Date(Date.UTC(year + 1, 0, 1));
  }
  if (DATETIME_RE.test(s)) {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

export const dateParam = (what: string) =>
  z
    .string()
    .trim()
    .refine((s) => parseDateBound(s, 'start') !== null, {
      message: 'Expected an ISO date: YYYY-MM-DD, YYYY-MM, YYYY or a date-time with offset',
    })
    .describe(what);

/** Adds the check that an explicit `from` lies before an explicit `to` (reported on `from`). */
export function checkRangeOrder(value: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx): void {
  if (!value.from || !value.to) return;
  const from = parseDateBound(value.from, 'start');
  const to = parseDateBound(value.to, 'end');
  if (from && to && from >= to) ctx.addIssue({ code: 'custom', path: ['from'], message: '`from` must be before `to`' });
}

export interface ResolvedRange {
  from: Date;
  /** Exclusive. */
  to: Date;
}

export const startOfUtcMonth = (d: Date, monthsBack = 0) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsBack, 1));

/** Explicit bounds win; otherwise the last `defaultMonths` calendar months up to `now` (this month included). */
export function resolveRange(params: { from?: string | undefined; to?: string | undefined }, now: Date, defaultMonths = 12): ResolvedRange {
  const to = (params.to && parseDateBound(params.to, 'end')) || now;
  const lastInstant = new Date(to.getTime() - 1);
  const from = (params.from && parseDateBound(params.from, 'start')) || startOfUtcMonth(lastInstant, defaultMonths - 1);
  return { from, to };
}

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** "2025-01-01 to 2025-12-31" (the inclusive last day of a half-open range). */
export const describeRange = (r: ResolvedRange) => `${isoDay(r.from)} to ${isoDay(new Date(r.to.getTime() - 1))}`;
