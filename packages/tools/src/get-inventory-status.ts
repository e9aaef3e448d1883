// get_inventory_status: stock on hand against reorder points, with days of cover.
import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { queryRows, roundTo, toNumber } from './query.ts';

export type StockStatus = 'ok' | 'low' | 'out';

/** The reorder rule: nothing on hand is `out`; below the reorder point is `low`. */
export function stockStatus(onHand: number, reorderPoint: number): StockStatus {
  if (onHand <= 0) return 'out';
  if (onHand < reorderPoint) return 'low';
  return 'ok';
}

/** Days the stock lasts at the average daily sales rate; null when nothing sells. */
export const daysOfCover = (onHand: number, avgDailyUnits: number) => (avgDailyUnits > 0 ? roundTo(Math.max(onHand, 0) / avgDailyUnits, 1) : null);

export const inventoryStatusParameters = z.object({
  belowReorderOnly: z.boolean().default(false).describe('Only items that are low (below reorder point) or out of stock.'),
  category: z.string().trim().min(1).max(60).describe('Only products of this category (case-insensitive).').optional(),
});

export interface InventoryItem {
  product_id: string;
  sku: string;
  name: string;
  category: string;
  on_hand: number;
  reorder_point: number;
  avg_daily_units: number;
  days_of_cover: number | null;
  status: StockStatus;
}

const severity: Record<StockStatus, number> = { out: 0, low: 1, ok: 2 };

export const getInventoryStatus = defineTool({
  name: 'get_inventory_status',
  description:
    'Current stock per product: on hand, reorder point, average daily units sold, days of cover and status ' +
    '(ok, low = below reorder point, out = none on hand). Most urgent first. Optionally only items below reorder point, or one category.',
  parameters: inventoryStatusParameters,
  async handler(params, ctx) {
    const rows = await queryRows(
      ctx,
      `select p.id as product_id, p.sku, p.name, p.category, i.on_hand, i.reorder_point, i.avg_daily_units
       from inventory_levels i join products p on p.id = i.product_id and p.workspace_id = i.workspace_id
       where i.workspace_id = ? ${params.category ? 'and lower(p.category) = lower(?)' : ''}`,
      params.category ? [ctx.workspaceId, params.category] : [ctx.workspaceId],
    );
    const all: InventoryItem[] = rows.map((r) => {
      const onHand = toNumber(r.on_hand);
      const reorderPoint = toNumber(r.reorder_point);
      const avg = toNumber(r.avg_daily_units);
      return {
        product_id: String(r.product_id),
        sku: String(r.sku),
        name: String(r.name),
        category: String(r.category),
        on_hand: onHand,
        reorder_point: reorderPoint,
        avg_daily_units: avg,
        days_of_cover: daysOfCover(onHand, avg),
        status: stockStatus(onHand, reorderPoint),
      };
    });
    const counts = { ok: 0, low: 0, out: 0 };
    for (const item of all) counts[item.status]++;
    const items = (params.belowReorderOnly ? all.filter((i) => i.status !== 'ok') : all).sort(
      (a, b) =>
        severity[a.status] - severity[b.status] ||
        (a.days_of_cover ?? Infinity) - (b.days_of_cover ?? Infinity) ||
        a.sku.localeCompare(b.sku),
    );
    const scope = params.category ? ` in ${params.category}` : '';
    const urgent = all.filter((i) => i.status !== 'ok').sort((a, b) => severity[a.status] - severity[b.status] || a.sku.localeCompare(b.sku));
    const summary = all.length
      ? `${all.length} products${scope}: ${counts.out} out of stock, ${counts.low} below reorder point, ${counts.ok} ok.` +
        (urgent.length ? ` Needs reordering: ${urgent.slice(0, 5).map((i) => `${i.name} (${i.on_hand} on hand, reorder at ${i.reorder_point})`).join('; ')}${urgent.length > 5 ? '; …' : ''}.` : '')
      : `No inventory records${scope}.`;
    return {
      data: { items, counts, total: all.length },
      chart: {
        kind: 'table',
        x: 'name',
        series: ['sku', 'category', 'on_hand', 'reorder_point', 'days_of_cover', 'status'],
        title: params.belowReorderOnly ? `Items below reorder point${scope}` : `Inventory status${scope}`,
      },
      summary,
    };
  },
});
