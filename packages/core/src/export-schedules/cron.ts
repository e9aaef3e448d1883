// Cron expressions and IANA time zones of scheduled exports: validation and the next run times,
// computed by cron-parser, the library BullMQ's job schedulers use, so both agree.
import { CronExpressionParser } from 'cron-parser';
import { AppError } from '../errors.ts';

/** True for a zone the runtime's ICU knows (`Europe/Berlin`, `UTC`); abbreviations like `CEST` are not zones. */
export function isTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][\w+-]*(\/[\w+-]+)*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export interface CronRules {
  /** Six-field expressions (with seconds) are for tests; users schedule by the minute. */
  allowSeconds?: boolean;
}

/** Refuses a malformed expression or zone with BAD_REQUEST naming the field. */
export function validateCron(cron: string, timezone: string, rules: CronRules = {}): void {
  if (!isTimeZone(timezone)) throw new AppError('BAD_REQUEST', `Time zone "${timezone}" is not an IANA zone such as Europe/Berlin`, { field: 'timezone' });
  const fields = cron.trim().split(/\s+/).length;
  if (fields !== 5 && !(rules.allowSeconds && fields === 6))
    throw new AppError('BAD_REQUEST', 'Cron needs five fields: minute hour day-of-month month day-of-week', { field: 'cron' });
  try {
    CronExpressionParser.parse(cron, { tz: timezone, strict: false }).next();
  } catch (err) {
    throw new AppError('BAD_REQUEST', `Cron "${cron}" is not valid: ${(err as Error).message}`, { field: 'cron' });
  }
}

/** The next `count` run times after `from`, as instants (the zone decides the wall-clock times, DST included). */
export function nextRuns(cron: string, timezone: string, count: number, from: Date = new Date()): Date[] {
  const it = CronExpressionParser.parse(cron, { tz: timezone, currentDate: from });
  return it.take(count).map((d) => d.toDate());
}
