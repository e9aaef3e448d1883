import { describe, expect, it } from 'vitest';
import { offlineFallbackAnswer, parseRange, planOffline, writeOfflineAnswer, type ToolResult } from '../src/index.ts';

const now = new Date('2026-11-23T10:00:00Z');
const plan = (q: string) => planOffline(q, { now });

describe('planOffline', () => {
  it('maps sales questions to get_sales_by_month with the range they name', () => {
    expect(plan('How did sales trend over the last 6 months?')).toEqual({ tool: 'get_sales_by_month', args: { from: '2026-06-01' } });
    expect(plan('Revenue in 2025')).toEqual({ tool: 'get_sales_by_month', args: { from: '2025-01-01', to: '2025-12-31' } });
    expect(plan('monthly revenue')).toEqual({ tool: 'get_sales_by_month', args: {} });
    expect(plan('What was our best month for sales last year?')).toEqual({ tool: 'get_sales_by_month', args: { from: '2025-01-01', to: '2025-12-31' } });
    expect(plan('Toys sales over the past twelve months')).toEqual({ tool: 'get_sales_by_month', args: { from: '2025-12-01', category: 'Toys' } });
    expect(plan('show me the orders trend for home & kitchen')).toEqual({ tool: 'get_sales_by_month', args: { category: 'Home & Kitchen' } });
  });

  it('maps stock questions to get_inventory_status, at-risk only when asked', () => {
    expect(plan('Show inventory levels')).toEqual({ tool: 'get_inventory_status', args: { belowReorderOnly: false } });
    expect(plan('Which items are below their reorder point?')).toEqual({ tool: 'get_inventory_status', args: { belowReorderOnly: true } });
    expect(plan('What is running low?')).toEqual({ tool: 'get_inventory_status', args: { belowReorderOnly: true } });
    expect(plan('Anything out of stock in Outdoor?')).toEqual({ tool: 'get_inventory_status', args: { belowReorderOnly: true, category: 'Outdoor' } });
    expect(plan('low stock')).toEqual({ tool: 'get_inventory_status', args: { belowReorderOnly: true } });
  });

  it('maps ranking and margin questions to get_product_analytics', () => {
    expect(plan('Top 5 products by revenue')).toEqual({ tool: 'get_product_analytics', args: { metric: 'revenue', order: 'top', limit: 5 } });
    expect(plan('What are our best-selling products?')).toEqual({ tool: 'get_product_analytics', args: { metric: 'units', order: 'top', limit: 10 } });
    expect(plan('worst products by margin last year')).toEqual({
      tool: 'get_product_analytics', args: { metric: 'margin', order: 'bottom', limit: 5, from: '2025-01-01', to: '2025-12-31' },
    });
    expect(plan('Which products have the lowest margin?')).toMatchObject({ args: { metric: 'margin', order: 'bottom' } });
    expect(plan('top 200 products')).toMatchObject({ args: { limit: 50 } });
    expect(plan('bottom three electronics items by units in the last 3 months')).toEqual({
      tool: 'get_product_analytics', args: { metric: 'units', order: 'bottom', limit: 3, from: '2026-09-01', category: 'Electronics' },
    });
  });

  it('returns null for what it cannot answer', () => {
    expect(plan('')).toBeNull();
    expect(plan('Tell me a joke')).toBeNull();
    expect(plan('Who won the world cup?')).toBeNull();
  });

  it('parses relative ranges against the clock', () => {
    expect(parseRange('last 3 months', now)).toEqual({ from: '2026-09-01' });
    expect(parseRange('past 2 weeks', now)).toEqual({ from: '2026-11-10' });
    expect(parseRange('last 30 days', now)).toEqual({ from: '2026-10-25' });
    expect(parseRange('this year', now)).toEqual({ from: '2026-01-01' });
    expect(parseRange('last month', now)).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    expect(parseRange('in 2024', now)).toEqual({ from: '2024-01-01', to: '2024-12-31' });
    expect(parseRange('whenever', now)).toEqual({});
  });
});

const salesResult: ToolResult = {
  data: {
    from: '2026-09-01T00:00:00.000Z', to: '2026-11-23T10:00:00.000Z',
    rows: [
      { month: '2026-09', revenue: 1000, units: 50, orders: 40 },
      { month: '2026-10', revenue: 3000.5, units: 120, orders: 90 },
      { month: '2026-11', revenue: 2000, units: 80, orders: 60 },
    ],
    totals: { revenue: 6000.5, units: 250, orders: 190 },
    bestMonth: '2026-10',
  },
  chart: { kind: 'line', x: 'month', series: ['revenue'] },
  summary: '',
};

describe('writeOfflineAnswer', () => {
  it('sums sales and names the best month', () => {
    const answer = writeOfflineAnswer('sales last 3 months', 'get_sales_by_month', salesResult);
    expect(answer).toContain('**$6,001** revenue from 250 units in 190 orders');
    expect(answer).toContain('Best month: **2026-10** ($3,001)');
    expect(answer).toContain('Weakest month: 2026-09');
    expect(answer).toContain('2026-11 vs 2026-09: +100%');
  });

  it('says so when there were no sales', () => {
    const empty = { ...salesResult, data: { rows: [{ month: '2026-11', revenue: 0, units: 0, orders: 0 }], totals: { revenue: 0, units: 0, orders: 0 } } };
    expect(writeOfflineAnswer('sales', 'get_sales_by_month', empty)).toBe('No sales in 2026-11.');
  });

  it('lists items below reorder point', () => {
    const item = (sku: string, status: string, on_hand: number, days_of_cover: number | null) => ({
      product_id: sku, sku, name: `Item ${sku}`, category: 'Toys', on_hand, reorder_point: 10, avg_daily_units: 1, days_of_cover, status,
    });
    const result: ToolResult = {
      data: { items: [item('A', 'out', 0, 0), item('B', 'low', 4, 4), item('C', 'ok', 40, 40)], counts: { ok: 1, low: 1, out: 1 }, total: 3 },
      summary: '',
    };
    const answer = writeOfflineAnswer('low stock', 'get_inventory_status', result);
    expect(answer).toContain('**1 out of stock**, **1 below reorder point**, 1 ok');
    expect(answer).toContain('- **Out of stock**: Item A (A): 0 on hand, reorder point 10');
    expect(answer).toContain('- Low: Item B (B): 4 on hand, reorder point 10, 4 days of cover');
    expect(answer).not.toContain('Item C');
    const calm = writeOfflineAnswer('stock', 'get_inventory_status', { data: { items: [item('C', 'ok', 40, 40)], counts: { ok: 1, low: 0, out: 0 }, total: 1 }, summary: '' });
    expect(calm).toContain('Nothing needs reordering');
  });

  it('names the top three products', () => {
    const product = (rank: number, name: string, revenue: number) => ({
      rank, product_id: name, sku: name, name, category: 'Office', revenue, units: rank, cost: 0, margin: revenue / 2, margin_pct: 50, orders: 1,
    });
    const result: ToolResult = {
      data: { metric: 'margin', order: 'top', products: [product(1, 'Lamp', 900), product(2, 'Chair', 500), product(3, 'Pen', 100), product(4, 'Pad', 50)] },
      summary: '',
    };
    const answer = writeOfflineAnswer('top products by margin', 'get_product_analytics', result);
    expect(answer).toContain('Top products by margin');
    expect(answer).toContain('1. **Lamp** (Office): $450 margin (50%)');
    expect(answer).toContain('3. **Pen**');
    expect(answer).not.toContain('Pad');
    expect(answer).toContain('1 more in the chart');
  });

  it('falls back to what it can answer', () => {
    const answer = writeOfflineAnswer('Tell me a joke', null, null);
    expect(answer).toBe(offlineFallbackAnswer());
    expect(answer).toContain('offline assistant');
    expect(answer).toMatch(/Sales by month[\s\S]*Inventory[\s\S]*Product rankings/);
  });
});
