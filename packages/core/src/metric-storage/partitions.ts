// Daily partitions of metric_samples, made ahead of time by the metrics.partitions job (and on
// demand by the sample writer if one is ever missing). The SQL functions live in the migration.
import type { EntityManager } from '@mikro-orm/postgresql';

const DAY_MS = 86_400_000;

/** UTC calendar day of an instant, as PostgreSQL `date` text. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Creating a partition locks the parent table; a short lock timeout makes the job give up (and
 * retry next run) rather than queue behind a long query with every insert queued behind it.
 */
const LOCK_TIMEOUT = `set local lock_timeout = '5s'`;

/**
 * Whether a write failed because no partition holds one of its rows. PostgreSQL (15, and PGlite's
 * 18 alike) reports it as check_violation (SQLSTATE 23514) on the partitioned table itself and
 * names no constraint; a violated check constraint is reported with its name (and the partition).
 */
export function isMissingPartition(err: unknown): boolean {
  const { code, table, constraint } = (err ?? {}) as { code?: unknown; table?: unknown; constraint?: unknown };
  return code === '23514' && table === 'metric_samples' && constraint === undefined;
}

/** Makes the partitions of the days [fromMs's day, toMs's day]; returns how many were new. */
export async function ensureMetricPartitions(em: EntityManager, fromMs: number, toMs: number): Promise<number> {
  const days = Math.floor(toMs / DAY_MS) - Math.floor(fromMs / DAY_MS) + 1;
  return em.transactional(async (tx) => {
    await tx.execute(LOCK_TIMEOUT);
    const [row] = await tx.execute<{ made: number }[]>(
      `select tandem_ensure_metric_partitions(?::date, ?) as made`, [utcDay(fromMs), days]);
    return Number(row!.made);
  });
}

/** What the metrics.partitions job keeps in place: yesterday through three days ahead. */
export const ensureUpcomingMetricPartitions = (em: EntityManager, now = Date.now()) =>
  ensureMetricPartitions(em, now - DAY_MS, now + 3 * DAY_MS);

/** Drops whole daily partitions of days before `beforeMs`'s day; returns how many went. */
export async function dropMetricPartitionsBefore(em: EntityManager, beforeMs: number): Promise<number> {
  return em.transactional(async (tx) => {
    await tx.execute(LOCK_TIMEOUT);
    const [row] = await tx.execute<{ dropped: number }[]>(
      `select tandem_drop_metric_partitions(?::date) as dropped`, [utcDay(beforeMs)]);
    return Number(row!.dropped);
  });
}

/** The days that have a partition, oldest first (for tests and the retention report). */
export async function listMetricPartitionDays(em: EntityManager): Promise<string[]> {
  const rows = await em.execute<{ relname: string }[]>(
    `select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'metric_samples'::regclass order by c.relname`);
  return rows.map((r) => r.relname.replace(/^metric_samples_(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3'));
}
