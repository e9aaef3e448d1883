// The next run times of a cron expression in a time zone, for the schedule form's preview; the
// same library (cron-parser) the server and BullMQ use, so the preview is what will happen.
import { CronExpressionParser } from 'cron-parser';

export function previewRuns(cron: string, timezone: string, count = 5): { runs: Date[] } | { error: string } {
  if (cron.trim().split(/\s+/).length !== 5) return { error: 'Five fields: minute hour day-of-month month day-of-week' };
  try {
    return { runs: CronExpressionParser.parse(cron, { tz: timezone }).take(count).map((d) => d.toDate()) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** A run time as people in the chosen zone read it: "Mon 2 Mar, 09:00". */
export const formatInZone = (at: Date | number, timezone: string) =>
  new Intl.DateTimeFormat(undefined, { timeZone: timezone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(at);

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
/**
 * The zones the form offers. V8's list leaves out UTC, and the browser's own zone can be an alias
 * that is not in it; without them the select shows nothing for the default zone.
 */
export const allZones = (): string[] => {
  const listed = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([...listed, 'UTC', browserZone()])].sort();
};
