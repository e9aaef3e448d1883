// How long one SQL statement may run: short for queries a user can shape, long for jobs and
// sweeps, none for migrations.

/**
 * Statements run for one user's expensive query (user-queries.ts): a metric series over a range, a
 * cost report, a page of a conversation. Short, so a flood of them cannot hold connections for
 * long. Embedded PGlite has no statement timeout: there the per-user work limits are the only bound.
 */
export const USER_STATEMENT_TIMEOUT_MS = 10_000;
/** Every other statement: set on each pooled connection (ormOptions). */
export const STATEMENT_TIMEOUT_MS = 5 * 60_000;

/** Whether PostgreSQL stopped a statement (statement_timeout or a cancel request: SQLSTATE 57014). */
export function isStatementTimeout(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if ((e as { code?: unknown }).code === '57014') return true;
  return false;
}
