// The sales tools against a real database, in every runtime mode this machine can run: results
// match hand-written SQL, and each tool sees only its own workspace's data.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { availableModes, createTestRuntime, type TestRuntime } from '@tandem/core/testing';
import {
  runTool, seedDemoSales, stockStatus, toolResultSchema, tools,
  type InventoryItem, type ProductRow, type SalesMonthRow, type ToolContext, type ToolResult,
} from '../src/index.ts';

const modes = await availableModes();
const NOW = new Date('2026-11-23T10:00:00Z');

async function ok(name: string, args: unknown, ctx: ToolContext): Promise<ToolResult> {
  const run = await runTool(name, args, ctx);
  if (!run.ok) throw new Error(run.error);
  expect(toolResultSchema.safeParse(run.result).success).toBe(true);
  return run.result;
}

describe.each(modes)('sales tools (%s)', (mode) => {
  let rt: TestRuntime;
  let em: EntityManager;
  const wsA = randomUUID();
  const wsB = randomUUID();
  let ctxA: ToolContext;
  let ctxB: ToolContext;
  let seedMs = 0;

  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => em.getConnection().execute<T[]>(query, params);

  beforeAll(async () => {
    rt = await createTestRuntime(mode);
    em = rt.orm.em.fork();
    for (const [id, name] of [[wsA, 'A'], [wsB, 'B']]) {
      await rt.orm.em.getConnection().execute('insert into workspaces (id, name, created_at) values (?, ?, now())', [id, name]);
    }
    const started = performance.now();
    const a = await seedDemoSales(em, wsA, { months: 24, now: NOW });
    seedMs = performance.now() - started;
    const b = await seedDemoSales(em, wsB, { months: 3, now: NOW, seed: 7 });
    expect(a).toMatchObject({ seeded: true, products: 40 });
    expect(b).toMatchObject({ seeded: true, products: 40 });
    ctxA = { em: rt.orm.em.fork(), workspaceId: wsA, userId: randomUUID(), now: NOW };
    ctxB = { em: rt.orm.em.fork(), workspaceId: wsB, userId: randomUUID(), now: NOW };
  });
  afterAll(() => rt?.close());

  it('seeds 24 months of orders, with a few items below reorder point', async () => {
    console.info(`[${mode}] seedDemoSales 24 months: ${seedMs.toFixed(0)} ms`);
    const [span] = await sql<{ first: Date; last: Date; n: string; categories: string }>(
      `select min(o.ordered_at) as first, max(o.ordered_at) as last, count(*) as n,
              (select count(distinct category) from products where workspace_id = ?) as categories
       from sales_orders o where o.workspace_id = ?`, [wsA, wsA]);
    expect(Number(span!.n)).toBeGreaterThan(10_000);
    expect(Number(span!.categories)).toBe(6);
    expect(new Date(span!.last).getTime()).toBeLessThan(NOW.getTime());
    expect(new Date(span!.first).getTime()).toBeGreaterThanOrEqual(Date.UTC(2024, 10, 23, 10));
  });

  it('does not duplicate on a second seeding, and is deterministic', async () => {
    const count = async (ws: string) => Number((await sql<{ n: string }>('select count(*) as n from sales_orders where workspace_id = ?', [ws]))[0]!.n);
    const before = await count(wsA);
    expect(await seedDemoSales(em, wsA, { months: 24, now: NOW })).toEqual({ seeded: false, products: 0, orders: 0 });
    expect(await count(wsA)).toBe(before);
    expect(Number((await sql<{ n: string }>('select count(*) as n from products where workspace_id = ?', [wsA]))[0]!.n)).toBe(40);

    const wsC = randomUUID();
    await sql('insert into workspaces (id, name, created_at) values (?, ?, now())', [wsC, 'C']);
    const c = await seedDemoSales(em, wsC, { months: 24, now: NOW });
    expect(c.orders).toBe(before);
    const totals = await sql<{ workspace_id: string; revenue: string }>(
      'select workspace_id, sum(revenue)::text as revenue from sales_orders where workspace_id in (?, ?) group by workspace_id', [wsA, wsC]);
    expect(totals).toHaveLength(2);
    expect(totals[0]!.revenue).toBe(totals[1]!.revenue);
  });

  it('get_sales_by_month equals a SQL aggregate over sales_orders', async () => {
    const result = await ok('get_sales_by_month', {}, ctxA);
    const data = result.data as { rows: SalesMonthRow[]; from: string; to: string; totals: { revenue: number; orders: number } };
    expect(data.rows).toHaveLength(12);
    expect(data.rows[0]!.month).toBe('2025-12');
    expect(data.rows.at(-1)!.month).toBe('2026-11');
    expect(result.chart).toEqual({ kind: 'line', x: 'month', series: ['revenue'], title: expect.any(String) });
    const expected = await sql<{ month: string; revenue: string; units: string; orders: string }>(
      `select to_char(date_trunc('month', ordered_at at time zone 'UTC'), 'YYYY-MM') as month,
              sum(revenue) as revenue, sum(units) as units, count(*) as orders
       from sales_orders where workspace_id = ? and ordered_at >= ? and ordered_at < ?
       group by 1 order by 1`, [wsA, data.from, data.to]);
    expect(data.rows).toEqual(expected.map((r) => ({ month: r.month, revenue: Number(r.revenue), units: Number(r.units), orders: Number(r.orders) })));
    expect(typeof data.rows[0]!.revenue).toBe('number');
    expect(data.totals.orders).toBe(expected.reduce((s, r) => s + Number(r.orders), 0));

    // An explicit year; categories partition the total; a product filter.
    const year = (await ok('get_sales_by_month', { from: '2025', to: '2025' }, ctxA)).data as { rows: SalesMonthRow[]; totals: { revenue: number } };
    expect(year.rows.map((r) => r.month)).toEqual(Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`));
    const [y] = await sql<{ revenue: string }>(`select sum(revenue) as revenue from sales_orders where workspace_id = ? and ordered_at >= '2025-01-01T00:00:00Z' and ordered_at < '2026-01-01T00:00:00Z'`, [wsA]);
    expect(year.totals.revenue).toBeCloseTo(Number(y!.revenue), 2);
    let byCategory = 0;
    for (const category of ['Electronics', 'home & kitchen', 'Outdoor', 'Apparel', 'Toys', 'Office']) {
      const part = (await ok('get_sales_by_month', { from: '2025-01-01', to: '2025-12-31', category }, ctxA)).data as { totals: { revenue: number } };
      expect(part.totals.revenue).toBeGreaterThan(0);
      byCategory += part.totals.revenue;
    }
    expect(byCategory).toBeCloseTo(year.totals.revenue, 1);
    const [product] = await sql<{ id: string }>('select id from products where workspace_id = ? order by sku limit 1', [wsA]);
    const one = (await ok('get_sales_by_month', { productId: product!.id }, ctxA)).data as { totals: { orders: number } };
    const [n] = await sql<{ n: string }>('select count(*) as n from sales_orders where workspace_id = ? and product_id = ? and ordered_at >= ? and ordered_at < ?', [wsA, product!.id, data.from, data.to]);
    expect(one.totals.orders).toBe(Number(n!.n));
  });

  it('get_inventory_status flags follow the reorder rule', async () => {
    const result = await ok('get_inventory_status', {}, ctxA);
    const data = result.data as { items: InventoryItem[]; counts: Record<string, number> };
    expect(result.chart?.kind).toBe('table');
    const levels = await sql<{ product_id: string; on_hand: number; reorder_point: number }>(
      'select product_id, on_hand, reorder_point from inventory_levels where workspace_id = ?', [wsA]);
    expect(data.items).toHaveLength(levels.length);
    for (const level of levels) {
      const item = data.items.find((i) => i.product_id === level.product_id)!;
      const expected = level.on_hand <= 0 ? 'out' : level.on_hand < level.reorder_point ? 'low' : 'ok';
      expect(item.status).toBe(expected);
      expect(item.status).toBe(stockStatus(item.on_hand, item.reorder_point));
      if (item.avg_daily_units > 0) expect(item.days_of_cover).toBeCloseTo(item.on_hand / item.avg_daily_units, 1);
    }
    expect(data.counts.out).toBeGreaterThanOrEqual(1);
    expect(data.counts.low).toBeGreaterThanOrEqual(2);
    expect(data.items[0]!.status).toBe('out');

    const below = (await ok('get_inventory_status', { belowReorderOnly: true }, ctxA)).data as { items: InventoryItem[] };
    expect(below.items.map((i) => i.product_id).sort()).toEqual(data.items.filter((i) => i.status !== 'ok').map((i) => i.product_id).sort());
    const outdoor = (await ok('get_inventory_status', { category: 'outdoor' }, ctxA)).data as { items: InventoryItem[] };
    expect(outdoor.items.length).toBeGreaterThan(0);
    expect(outdoor.items.every((i) => i.category === 'Outdoor')).toBe(true);
  });

  it('get_product_analytics orders products by the metric', async () => {
    const all = (await ok('get_product_analytics', { limit: 50 }, ctxA)).data as { products: ProductRow[]; from: string; to: string };
    expect(all.products).toHaveLength(40);
    const expected = await sql<{ product_id: string; revenue: string; units: string; cost: string }>(
      `select product_id, sum(revenue) as revenue, sum(units) as units, sum(cost) as cost from sales_orders
       where workspace_id = ? and ordered_at >= ? and ordered_at < ? group by product_id`, [wsA, all.from, all.to]);
    for (const e of expected) {
      const p = all.products.find((x) => x.product_id === e.product_id)!;
      expect(p.revenue).toBe(Number(e.revenue));
      expect(p.units).toBe(Number(e.units));
      expect(p.margin).toBeCloseTo(Number(e.revenue) - Number(e.cost), 2);
    }
    for (const metric of ['revenue', 'units', 'margin'] as const) {
      const top = (await ok('get_product_analytics', { metric, limit: 50 }, ctxA));
      expect(top.chart).toMatchObject({ kind: 'bar', x: 'name', series: [metric] });
      const values = (top.data as { products: ProductRow[] }).products.map((p) => p[metric]);
      expect(values).toEqual([...values].sort((a, b) => b - a));
      const bottom = (await ok('get_product_analytics', { metric, order: 'bottom', limit: 3 }, ctxA)).data as { products: ProductRow[] };
      expect(bottom.products.map((p) => p[metric])).toEqual([...values].reverse().slice(0, 3).sort((a, b) => a - b));
    }
    const top3 = (await ok('get_product_analytics', { limit: 3 }, ctxA)).data as { products: ProductRow[] };
    expect(top3.products.map((p) => p.product_id)).toEqual(all.products.slice(0, 3).map((p) => p.product_id));
    expect(top3.products.map((p) => p.rank)).toEqual([1, 2, 3]);
  });

  it('every tool sees only its own workspace', async () => {
    const productsOf = async (ws: string) => new Set((await sql<{ id: string }>('select id from products where workspace_id = ?', [ws])).map((r) => r.id));
    const idsA = await productsOf(wsA);
    const idsB = await productsOf(wsB);
    const range = { from: '2024-01-01', to: '2026-12-31' };
    const salesA = (await ok('get_sales_by_month', range, ctxA)).data as { totals: { orders: number; revenue: number } };
    const salesB = (await ok('get_sales_by_month', range, ctxB)).data as { totals: { orders: number; revenue: number }; rows: SalesMonthRow[] };
    const countOf = async (ws: string) => Number((await sql<{ n: string }>('select count(*) as n from sales_orders where workspace_id = ?', [ws]))[0]!.n);
    expect(salesA.totals.orders).toBe(await countOf(wsA));
    expect(salesB.totals.orders).toBe(await countOf(wsB));
    expect(salesB.totals.revenue).toBeLessThan(salesA.totals.revenue);
    expect(salesB.rows.filter((r) => r.orders > 0).map((r) => r.month)).toEqual(['2026-08', '2026-09', '2026-10', '2026-11']);

    for (const [ctx, own, other] of [[ctxA, idsA, idsB], [ctxB, idsB, idsA]] as const) {
      const inv = (await ok('get_inventory_status', {}, ctx)).data as { items: InventoryItem[] };
      const prod = (await ok('get_product_analytics', { limit: 50, order: 'bottom', ...range }, ctx)).data as { products: ProductRow[] };
      for (const id of [...inv.items.map((i) => i.product_id), ...prod.products.map((p) => p.product_id)]) {
        expect(own.has(id)).toBe(true);
        expect(other.has(id)).toBe(false);
      }
    }
    // Another workspace's product id gives nothing, not its data.
    const [foreign] = [...idsB];
    const leak = (await ok('get_sales_by_month', { productId: foreign, ...range }, ctxA)).data as { totals: { orders: number } };
    expect(leak.totals.orders).toBe(0);
  });

  it('refuses bad arguments with a message naming the field, and never throws', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['get_product_analytics', { limit: 0 }, 'limit'],
      ['get_product_analytics', { limit: 51 }, 'limit'],
      ['get_product_analytics', { metric: 'profit' }, 'metric'],
      ['get_sales_by_month', { from: 'yesterday' }, 'from'],
      ['get_sales_by_month', { from: '2026-05-01', to: '2026-01-01' }, 'from'],
      ['get_sales_by_month', { productId: 'not-a-uuid' }, 'productId'],
      ['get_inventory_status', { belowReorderOnly: 'yes' }, 'belowReorderOnly'],
      ['get_inventory_status', '{not json', 'JSON'],
      ['get_inventory_status', 42, 'arguments'],
      ['drop_tables', {}, 'Unknown tool "drop_tables"'],
    ];
    for (const [name, args, mention] of cases) {
      const run = await runTool(name, args, ctxA);
      expect(run.ok, `${name} ${JSON.stringify(args)}`).toBe(false);
      if (!run.ok) expect(run.error).toContain(mention);
    }
    // Empty arguments in every form a provider may send are valid for the data tools (the task tools
    // act for a member, which this context's user is not: task-tools.server.test.ts covers them).
    const optionalOnly = tools.filter((t) => !t.name.includes('task'));
    expect(optionalOnly.map((t) => t.name)).toEqual(['get_sales_by_month', 'get_inventory_status', 'get_product_analytics', 'list_agents', 'query_agent_metrics']);
    for (const tool of optionalOnly) {
      for (const args of [undefined, null, {}, '', '{}']) expect((await runTool(tool.name, args, ctxA)).ok).toBe(true);
    }
    const aborted = await runTool('get_inventory_status', {}, { ...ctxA, signal: AbortSignal.abort() });
    expect(aborted).toEqual({ ok: false, error: 'get_inventory_status was cancelled.' });
  });

  it('runs inside the caller\'s transaction (seeding and tools alike)', async () => {
    const wsD = randomUUID();
    await sql('insert into workspaces (id, name, created_at) values (?, ?, now())', [wsD, 'D']);
    await expect(
      em.fork().transactional(async (tx) => {
        expect((await seedDemoSales(tx, wsD, { months: 1, now: NOW })).seeded).toBe(true);
        const inv = await runTool('get_inventory_status', {}, { em: tx, workspaceId: wsD, userId: randomUUID(), now: NOW });
        expect(inv.ok && (inv.result.data as { total: number }).total).toBe(40);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(Number((await sql<{ n: string }>('select count(*) as n from products where workspace_id = ?', [wsD]))[0]!.n)).toBe(0);
  });

  it('entities match the migration (no schema drift for the sales tables)', async () => {
    const diff = await rt.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    const ours = diff.split('\n').filter((line) => /"(products|inventory_levels|sales_orders)"/.test(line));
    expect(ours).toEqual([]);
  });
});
