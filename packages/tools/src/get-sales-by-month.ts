// get_sales_by_month: revenue, units and orders per calendar month (UTC) over a range.
import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { checkRangeOrder, dateParam, describeRange, resolveRange } from './date-range.ts';
import { queryRows, roundTo, toNumber } from './query.ts';
import { formatMoney, formatCount } from './format.ts';

export const salesByMonthParameters = z
  .object({
    from: dateParam('First day of the range (inclusive). Default: first day of the month 11 months ago.').optional(),
    to: dateParam('Last day of the range (inclusive). Default: now.').optional(),
    productId: z.uuid().describe('Only this product (id from another tool).').optional(),
    category: z.string().trim().min(1).max(60).describe('Only products of this category (case-insensitive).').optional(),
  })
  .superRefine(checkRangeOrder);

export interface SalesMonthRow {
  month: string;
  revenue: number;
  units: number;
  orders: number;
}

export const getSalesByMonth = defineTool({
  name: 'get_sales_by_month',
  description:
    'Sales totals per calendar month (UTC): revenue, units sold and number of orders, over a date range ' +
    '(default: the last 12 months), optionally for one product or one category. Months without sales are included with zeros.',
  parameters: salesByMonthParameters,
  async handler(params, ctx) {
    const range = resolveRange(params, ctx.now ?? new Date());
    const filters: string[] = [];
    const filterParams: unknown[] = [];
    if (params.productId) {
      filters.push('and o.product_id = ?');
      filterParams.push(params.productId);
    }
    if (params.category) {
      filters.push('and exists (select 1 from products p where p.id = o.product_id and p.workspace_id = o.workspace_id and lower(p.category) = lower(?))');
      filterParams.push(params.category);
    }
    const rows = await queryRows(
      ctx,
      `with months as (
         select generate_series(date_trunc('month', ?::timestamptz at time zone 'UTC'),
                                date_trunc('month', (?::timestamptz - interval '1 millisecond') at time zone 'UTC'),
                                interval '1 month') as m
       ), agg as (
         select date_trunc('month', o.ordered_at at time zone 'UTC') as m,
                sum(o.revenue) as revenue, sum(o.units) as units, count(*) as orders
         from sales_orders o
         where o.workspace_id = ? and o.ordered_at >= ? and o.ordered_at < ? ${filters.join(' ')}
         group by 1
       )
       select to_char(months.m, 'YYYY-MM') as month, coalesce(agg.revenue, 0) as revenue,
              coalesce(agg.units, 0) as units, coalesce(agg.orders, 0) as orders
       from months left join agg on agg.m = months.m
       order by months.m`,
      [range.from.toISOString(), range.to.toISOString(), ctx.workspaceId, range.from.toISOString(), range.to.toISOString(), ...filterParams],
    );
    const months: SalesMonthRow[] = rows.map((r) => ({
      month: String(r.month),
      revenue: toNumber(r.revenue),
      units: toNumber(r.units),
      orders: toNumber(r.orders),
    }));
    const totals = months.reduce(
      (t, r) => ({ revenue: roundTo(t.revenue + r.revenue, 2), units: t.units + r.units, orders: t.orders + r.orders }),
      { revenue: 0, units: 0, orders: 0 },
    );
    const best = months.reduce<SalesMonthRow | undefined>((b, r) => (r.orders > 0 && (!b || r.revenue > b.revenue) ? r : b), undefined);
    const scope = params.productId ? ' for the product' : params.category ? ` in ${params.category}` : '';
    const summary = totals.orders
      ? `Sales${scope} ${describeRange(range)}: ${formatMoney(totals.revenue)} revenue, ${formatCount(totals.units)} units, ` +
        `${formatCount(totals.orders)} orders over ${months.length} months; best month ${best!.month} (${formatMoney(best!.revenue)}).`
      : `No sales${scope} ${describeRange(range)}.`;
    return {
      data: {
        from: range.from.toISOString(),
        to: range.to.toISOString(),
        ...(params.productId ? { productId: params.productId } : {}),
        ...(params.category ? { category: params.category } : {}),
        rows: months,
        totals,
        bestMonth: best?.month ?? null,
      },
      chart: { kind: 'line', x: 'month', series: ['revenue'], title: `Revenue by month${scope}` },
      summary,
    };
  },
});
