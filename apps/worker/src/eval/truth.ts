// What the eval's answers must say, read from the seeded tables with SQL of our own (not through
// the tools under test), and formatted the way answers write numbers.
import type { EntityManager } from '@mikro-orm/postgresql';
import { formatCount, formatMoney } from '@tandem/tools';

type Metric = 'revenue' | 'units' | 'margin';

interface SalesFacts { revenue: string; orders: string; units: string; bestMonth: string; worstMonth: string }
interface StockFacts { total: number; out: number; low: number }

export interface Truth {
  lastFullYear: number;
  agentNames: string[];
  sales(year: number, category?: string): SalesFacts;
  stock(category?: string): StockFacts;
  topProduct(year: number, metric: Metric, category?: string): string;
  bottomProduct(year: number, metric: Metric, category?: string): string;
}

const key = (...parts: (string | number | undefined)[]) => parts.map((p) => p ?? '*').join('|');

/** Reads every fact the eval set asks for, once, so the checks themselves are synchronous. */
export async function readTruth(em: EntityManager, workspaceId: string, now: Date, agentNames: string[]): Promise<Truth> {
  const lastFullYear = now.getUTCFullYear() - 1;
  const categories = (await em.execute<{ category: string }[]>('select distinct category from products where workspace_id = ?', [workspaceId])).map((r) => r.category);
  const scopes: (string | undefined)[] = [undefined, ...categories];

  const sales = new Map<string, SalesFacts>();
  const ranks = new Map<string, { top: string; bottom: string }>();
  for (const year of [lastFullYear, lastFullYear - 1]) {
    for (const category of scopes) {
      const months = await em.execute<{ month: string; revenue: string; units: string; orders: string }[]>(
        `select to_char(date_trunc('month', o.ordered_at at time zone 'UTC'), 'YYYY-MM') as month,
                sum(o.revenue) as revenue, sum(o.units) as units, count(*) as orders
           from sales_orders o join products p on p.id = o.product_id
          where o.workspace_id = ? and o.ordered_at >= ? and o.ordered_at < ? and (?::text is null or p.category = ?)
          group by 1 order by 1`,
        [workspaceId, `${year}-01-01T00:00:00Z`, `${year + 1}-01-01T00:00:00Z`, category ?? null, category ?? null]);
      const total = (f: 'revenue' | 'units' | 'orders') => months.reduce((s, m) => s + Number(m[f]), 0);
      const byRevenue = [...months].sort((a, b) => Number(b.revenue) - Number(a.revenue));
      sales.set(key(year, category), {
        revenue: formatMoney(total('revenue')), orders: formatCount(total('orders')), units: formatCount(total('units')),
        bestMonth: byRevenue[0]?.month ?? '', worstMonth: byRevenue.at(-1)?.month ?? '',
      });
      for (const metric of ['revenue', 'units', 'margin'] as const) {
        const value = { revenue: 'coalesce(sum(o.revenue), 0)', units: 'coalesce(sum(o.units), 0)', margin: 'coalesce(sum(o.revenue), 0) - coalesce(sum(o.cost), 0)' }[metric];
        const rows = await em.execute<{ name: string; sku: string; v: string }[]>(
          `select p.name, p.sku, ${value} as v
             from products p left join sales_orders o on o.product_id = p.id and o.workspace_id = p.workspace_id and o.ordered_at >= ? and o.ordered_at < ?
            where p.workspace_id = ? and (?::text is null or p.category = ?)
            group by p.id, p.name, p.sku`,
          [`${year}-01-01T00:00:00Z`, `${year + 1}-01-01T00:00:00Z`, workspaceId, category ?? null, category ?? null]);
        const bySku = (a: { sku: string }, b: { sku: string }) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);
        const top = [...rows].sort((a, b) => Number(b.v) - Number(a.v) || bySku(a, b))[0]?.name ?? '';
        const bottom = [...rows].sort((a, b) => Number(a.v) - Number(b.v) || bySku(a, b))[0]?.name ?? '';
        ranks.set(key(year, metric, category), { top, bottom });
      }
    }
  }

  const stock = new Map<string, StockFacts>();
  for (const category of scopes) {
    const [row] = await em.execute<{ total: string; out: string; low: string }[]>(
      `select count(*) as total, count(*) filter (where i.on_hand <= 0) as out,
              count(*) filter (where i.on_hand > 0 and i.on_hand < i.reorder_point) as low
         from inventory_levels i join products p on p.id = i.product_id
        where i.workspace_id = ? and (?::text is null or p.category = ?)`,
      [workspaceId, category ?? null, category ?? null]);
    stock.set(key(category), { total: Number(row!.total), out: Number(row!.out), low: Number(row!.low) });
  }

  const must = <T>(map: Map<string, T>, k: string): T => {
    const v = map.get(k);
    if (v === undefined) throw new Error(`the eval set asks for a fact that was not read: ${k}`);
    return v;
  };
  return {
    lastFullYear,
    agentNames,
    sales: (year, category) => must(sales, key(year, category)),
    stock: (category) => must(stock, key(category)),
    topProduct: (year, metric, category) => must(ranks, key(year, metric, category)).top,
    bottomProduct: (year, metric, category) => must(ranks, key(year, metric, category)).bottom,
  };
}
