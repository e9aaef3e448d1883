// Row counts of every table of the app's schema, for tests that a refused call wrote nothing.
import type { TestApp } from './harness.ts';
import { sqlRows } from './harness.ts';

export type TableCounts = Record<string, number>;

/** Tables a refused request is meant to write: rate-limit counters count refused attempts too. */
const BOOKKEEPING = new Set(['rate_limits']);

/**
 * Every base table of `public` (partitions of metric_samples included) with its row count, read
 * in one statement so the snapshot is consistent. BullMQ's own schema is left out (queues are
 * not rows a request writes), and so are BOOKKEEPING tables.
 */
export async function tableCounts(app: TestApp): Promise<TableCounts> {
  const tables = await sqlRows<{ name: string }>(
    app,
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
  ).then((rows) => rows.filter((t) => !BOOKKEEPING.has(t.name)));
  if (!tables.length) return {};
  const select = tables.map((t, i) => `(select count(*) from "${t.name.replace(/"/g, '""')}")::int as c${i}`).join(', ');
  const [row] = await sqlRows<Record<string, number>>(app, `select ${select}`);
  return Object.fromEntries(tables.map((t, i) => [t.name, row![`c${i}`]!]));
}

/** Tables whose count differs between two snapshots, as `table: before → after`. */
export function countChanges(before: TableCounts, after: TableCounts): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).map((n) => `${n}: ${before[n] ?? '-'} → ${after[n] ?? '-'}`);
}
