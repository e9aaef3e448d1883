// How long one SQL statement may run: short for queries a user can shape, long for jobs and
// sweeps, none for migrations.
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Statements run for one user's expensive query (withStatementTimeout): a metric series over a
 * range, a cost report, a page of a conversation. Short, so a flood of them cannot hold the pool's
 * connections for long. Embedded PGlite has no statement timeout: there the per-user work limits
 * are the only bound.
 */
export const USER_STATEMENT_TIMEOUT_MS = 10_000;
/** Every other statement: set on each pooled connection (ormOptions). */
export const STATEMENT_TIMEOUT_MS = 5 * 60_000;

/**
 * Runs `fn` in a transaction whose statements stop after `ms` (SET LOCAL: the pooled connection
 * keeps its own limit afterwards). For reads: a statement stopped this way rolls the whole back.
 */
export function withStatementTimeout<T>(em: EntityManager, ms: number, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  return em.transactional(async (tx) => {
    await tx.execute(`set local statement_timeout = ${Math.max(1, Math.floor(ms))}`);
    return fn(tx);
  });
}

/** Whether PostgreSQL stopped a statement (statement_timeout or a cancel request: SQLSTATE 57014). */
export function isStatementTimeout(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if ((e as { code?: unknown }).code === '57014') return true;
  return false;
}
