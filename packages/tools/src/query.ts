// Raw SQL for the tools, run through the caller's EntityManager (so inside its transaction, if any).
// Parameters are `?` placeholders; MikroORM escapes and inlines them.
import type { ToolContext } from './define-tool.ts';

export type Row = Record<string, unknown>;

export async function queryRows<T extends Row = Row>(ctx: Pick<ToolContext, 'em' | 'signal'>, sql: string, params: unknown[] = []): Promise<T[]> {
  ctx.signal?.throwIfAborted();
  const rows = await ctx.em.execute<T[]>(sql, params, 'all');
  ctx.signal?.throwIfAborted();
  return rows;
}

/** PostgreSQL numeric and bigint arrive as strings; tools return plain JS numbers. */
export function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

export const roundTo = (value: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
