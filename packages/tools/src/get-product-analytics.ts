// get_product_analytics: products ranked by revenue, units or gross margin over a range.
import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { checkRangeOrder, dateParam, describeRange, resolveRange } from './date-range.ts';
import { queryRows, roundTo, toNumber } from './query.ts';
import { formatCount, formatMoney } from './format.ts';

export const productMetrics = ['revenue', 'units', 'margin'] as const;
export type ProductMetric = (typeof productMetrics)[number];

export const productAnalyticsParameters = z
  .object({
    metric: z.enum(productMetrics).default('revenue').describe('Rank by revenue, units sold, or gross margin (revenue minus cost).'),
    order: z.enum(['top', 'bottom']).default('top').describe('top = highest first, bottom = lowest first.'),
    limit: z.number().int().min(1).max(50).default(10).describe('How many products (1 to 50).'),
    from: dateParam('First day of the range (inclusive). Default: first day of the month 11 months ago.').optional(),
    to: dateParam('Last day of the range (inclusive). Default: now.').optional(),
    category: z.string().trim().min(1).max(60).describe('Only products of this category (case-insensitive).').optional(),
  })
  .superRefine(checkRangeOrder);

export interface ProductRow {
  rank: number;
  product_id: string;
  sku: string;
  name: string;
  category: string;
  revenue: number;
  units: number;
  cost: number;
  margin: number;
  margin_pct: number | null;
  orders: number;
}

// Whitelisted ORDER BY expressions: the metric never reaches SQL as text.
const metricSql: Record<ProductMetric, string> = {
  revenue: 'coalesce(agg.revenue, 0)',
  units: 'coalesce(agg.units, 0)',
  margin: 'coalesce(agg.revenue, 0) - coalesce(agg.cost, 0)',
};

const formatMetric = (metric: ProductMetric, value: number) => (metric === 'units' ? `${formatCount(value)} units` : formatMoney(value));

export const getProductAnalytics = defineTool({
  name: 'get_product_analytics',
  description:
    'Products ranked by revenue, units sold or gross margin over a date range (default: the last 12 months): ' +
    'top (best) or bottom (worst) N, with revenue, units, cost, margin and margin % of each. Products without sales count as zero.',
  parameters: productAnalyticsParameters,
  async handler(params, ctx) {
    const range = resolveRange(params, ctx.now ?? new Date());
    const direction = params.order === 'top' ? 'desc' : 'asc';
    const rows = await queryRows(
      ctx,
      `with agg as (
         select o.product_id, sum(o.revenue) as revenue, sum(o.units) as units, sum(o.cost) as cost, count(*) as orders
         from sales_orders o
         where o.workspace_id = ? and o.ordered_at >= ? and o.ordered_at < ?
         group by o.product_id
       )
       select p.id as product_id, p.sku, p.name, p.category, coalesce(agg.revenue, 0) as revenue,
              coalesce(agg.units, 0) as units, coalesce(agg.cost, 0) as cost, coalesce(agg.orders, 0) as orders
       from products p left join agg on agg.product_id = p.id
       where p.workspace_id = ? ${params.category ? 'and lower(p.category) = lower(?)' : ''}
       order by ${metricSql[params.metric]} ${direction}, p.sku asc
       limit ?`,
      [ctx.workspaceId, range.from.toISOString(), range.to.toISOString(), ctx.workspaceId, ...(params.category ? [params.category] : []), params.limit],
    );
    const products: ProductRow[] = rows.map((r, i) => {
      const revenue = toNumber(r.revenue);
      const cost = toNumber(r.cost);
      const margin = roundTo(revenue - cost, 2);
      return {
        rank: i + 1,
        product_id: String(r.product_id),
        sku: String(r.sku),
        name: String(r.name),
        category: String(r.category),
        revenue,
        units: toNumber(r.units),
        cost,
        margin,
        margin_pct: revenue > 0 ? roundTo((margin / revenue) * 100, 1) : null,
        orders: toNumber(r.orders),
      };
    });
    const label = `${params.order === 'top' ? 'Top' : 'Bottom'} ${products.length} products by ${params.metric}`;
    const scope = params.category ? ` in ${params.category}` : '';
    const summary = products.length
      ? `${label}${scope}, ${describeRange(range)}: ` +
        products.slice(0, 5).map((p) => `${p.rank}. ${p.name} (${formatMetric(params.metric, p[params.metric])})`).join(', ') +
        (products.length > 5 ? ', …' : '') + '.'
      : `No products${scope}.`;
    return {
      data: { from: range.from.toISOString(), to: range.to.toISOString(), metric: params.metric, order: params.order, products },
      chart: { kind: 'bar', x: 'name', series: [params.metric], title: `${label}${scope}` },
      summary,
    };
  },
});
