// The demo sales data set: ~40 products in 6 categories, months of orders with seasonality and
// growth ending at `now`, and inventory with a few items below their reorder point.
import { createHash } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';

export const DEMO_CATEGORIES = ['Electronics', 'Home & Kitchen', 'Outdoor', 'Apparel', 'Toys', 'Office'] as const;

const catalog: Record<(typeof DEMO_CATEGORIES)[number], { code: string; price: [number, number]; season: number[]; names: string[] }> = {
  Electronics: {
    code: 'ELE', price: [25, 400],
    season: [0.9, 0.8, 0.85, 0.9, 0.9, 0.95, 0.95, 1.0, 1.0, 1.05, 1.5, 1.7],
    names: ['Wireless Earbuds', 'Bluetooth Speaker', 'USB-C Charger', 'Smart Watch', 'Portable SSD 1TB', 'Noise-Cancelling Headphones', 'Webcam HD'],
  },
  'Home & Kitchen': {
    code: 'HOM', price: [12, 180],
    season: [0.95, 0.9, 1.0, 1.0, 1.0, 0.95, 0.95, 0.95, 1.0, 1.05, 1.2, 1.4],
    names: ['Chef Knife', 'Cast Iron Skillet', 'French Press', 'Bamboo Cutting Board', 'Stand Mixer', 'Ceramic Mug Set', 'Vacuum Bottle'],
  },
  Outdoor: {
    code: 'OUT', price: [15, 300],
    season: [0.5, 0.55, 0.8, 1.1, 1.4, 1.6, 1.6, 1.4, 1.0, 0.75, 0.6, 0.7],
    names: ['Camping Tent', 'Hiking Backpack', 'Sleeping Bag', 'Trekking Poles', 'Camp Stove', 'Headlamp', 'Water Filter'],
  },
  Apparel: {
    code: 'APP', price: [10, 150],
    season: [0.8, 0.75, 1.0, 1.1, 1.05, 0.95, 0.9, 1.0, 1.1, 1.1, 1.3, 1.45],
    names: ['Rain Jacket', 'Merino T-Shirt', 'Wool Socks', 'Running Shoes', 'Fleece Hoodie', 'Winter Gloves', 'Baseball Cap'],
  },
  Toys: {
    code: 'TOY', price: [8, 90],
    season: [0.6, 0.6, 0.7, 0.75, 0.8, 0.8, 0.85, 0.85, 0.9, 1.0, 1.7, 2.4],
    names: ['Building Blocks Set', 'Puzzle 1000 Pieces', 'Remote Control Car', 'Plush Bear', 'Board Game Classic', 'Kite'],
  },
  Office: {
    code: 'OFF', price: [3, 250],
    season: [1.3, 1.1, 1.0, 0.95, 0.9, 0.85, 0.9, 1.25, 1.35, 1.0, 0.95, 0.8],
    names: ['Notebook A5', 'Gel Pens 12-Pack', 'Desk Lamp', 'Ergonomic Chair Cushion', 'Monitor Stand', 'Paper Shredder'],
  },
};

/** mulberry32: small, fast, deterministic; good enough for demo data. */
export function createPrng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable UUID (version 8, name-based) for a product of a workspace. */
export function demoProductId(workspaceId: string, sku: string): string {
  const h = createHash('sha256').update(`${workspaceId}:${sku}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function poisson(rand: () => number, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rand();
  while (p > limit) {
    k++;
    p *= rand();
  }
  return k;
}

const cents = (n: number) => Math.round(n * 100) / 100;
const DAY_MS = 86_400_000;

export interface SeedDemoSalesOptions {
  /** Months of order history ending at `now` (default 24). */
  months?: number;
  now?: Date;
  /** PRNG seed (default fixed): the same seed, months and `now` give the same data set. */
  seed?: number;
  /** Rows per INSERT (default 5000). */
  batchSize?: number;
}

export interface SeedDemoSalesResult {
  seeded: boolean;
  products: number;
  orders: number;
}

interface DemoProduct {
  id: string;
  sku: string;
  name: string;
  category: (typeof DEMO_CATEGORIES)[number];
  unitPrice: number;
  unitCost: number;
  ordersPerDay: number;
  maxUnits: number;
}

/**
 * Seeds the workspace's demo sales data set; does nothing when it already has products.
 * Deterministic: a seeded PRNG, and product ids derived from workspace id and SKU.
 */
export async function seedDemoSales(em: EntityManager, workspaceId: string, opts: SeedDemoSalesOptions = {}): Promise<SeedDemoSalesResult> {
  const months = opts.months ?? 24;
  const now = opts.now ?? new Date();
  const rand = createPrng(opts.seed ?? 20261123);
  const batchSize = opts.batchSize ?? 5000;

  const existing = await em.execute<{ n: string }[]>('select count(*) as n from products where workspace_id = ?', [workspaceId]);
  if (Number(existing[0]?.n ?? 0) > 0) return { seeded: false, products: 0, orders: 0 };

  // Products
  const products: DemoProduct[] = [];
  for (const category of DEMO_CATEGORIES) {
    const c = catalog[category];
    c.names.forEach((name, i) => {
      const sku = `${c.code}-${String(101 + i)}`;
      const price = cents(Math.floor(c.price[0] + (c.price[1] - c.price[0]) * rand() ** 1.5) + 0.99);
      products.push({
        id: demoProductId(workspaceId, sku),
        sku,
        name,
        category,
        unitPrice: price,
        unitCost: cents(price * (0.35 + 0.35 * rand())),
        // Cheap things sell more often.
        ordersPerDay: cents((0.15 + 0.75 * rand()) * (price < 40 ? 1.4 : price > 200 ? 0.6 : 1)),
        maxUnits: price < 30 ? 6 : price < 100 ? 3 : 2,
      });
    });
  }

  // Orders: Poisson per product and day, scaled by category season, ~20%/year growth and weekdays.
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, now.getUTCDate(), now.getUTCHours(), now.getUTCMinutes()));
  const recentFrom = now.getTime() - 28 * DAY_MS;
  const recentUnits = new Map<string, number>();
  const cols = { product: [] as string[], at: [] as string[], units: [] as number[], revenue: [] as number[], cost: [] as number[] };
  for (let dayStart = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()); dayStart < now.getTime(); dayStart += DAY_MS) {
    const day = new Date(dayStart);
    const years = (dayStart - start.getTime()) / (365.25 * DAY_MS);
    const growth = 1.2 ** years;
    const weekday = [0.75, 1.05, 1.05, 1.0, 1.05, 1.15, 0.9][day.getUTCDay()]!;
    for (const p of products) {
      const lambda = p.ordersPerDay * catalog[p.category].season[day.getUTCMonth()]! * growth * weekday;
      const n = poisson(rand, lambda);
      for (let k = 0; k < n; k++) {
        const at = dayStart + Math.floor(rand() * DAY_MS);
        const units = 1 + Math.floor(rand() ** 2 * p.maxUnits);
        const discount = rand() < 0.2 ? 0.05 + 0.1 * rand() : 0;
        if (at < start.getTime() || at >= now.getTime()) continue;
        cols.product.push(p.id);
        cols.at.push(new Date(at).toISOString());
        cols.units.push(units);
        cols.revenue.push(cents(units * p.unitPrice * (1 - discount)));
        cols.cost.push(cents(units * p.unitCost));
        if (at >= recentFrom) recentUnits.set(p.id, (recentUnits.get(p.id) ?? 0) + units);
      }
    }
  }

  // Inventory: most items comfortably stocked; a few below reorder point, two out of stock.
  const lowIdx = new Set([3, 11, 19, 30]);
  const outIdx = new Set([8, 24]);
  const recentDays = Math.min(28, Math.max(1, (now.getTime() - start.getTime()) / DAY_MS));
  const inventory = products.map((p, i) => {
    const avg = cents((recentUnits.get(p.id) ?? 0) / recentDays);
    const leadDays = 7 + Math.floor(rand() * 8);
    const reorderPoint = Math.max(5, Math.ceil(avg * leadDays * 1.25));
    const onHand = outIdx.has(i)
      ? 0
      : lowIdx.has(i)
        ? Math.max(1, Math.floor(reorderPoint * (0.2 + 0.6 * rand())))
        : reorderPoint + Math.ceil(Math.max(avg, 0.2) * (10 + 50 * rand()));
    return { productId: p.id, onHand, reorderPoint, avg };
  });

  try {
    await em.transactional(async (tem) => {
      const run = (sql: string, params: unknown[]) => tem.execute(sql, params, 'run');
      await run(
        `insert into products (id, workspace_id, sku, name, category, unit_price, unit_cost)
         select u.id, ?::uuid, u.sku, u.name, u.category, u.unit_price, u.unit_cost
         from unnest(array[?]::uuid[], array[?]::text[], array[?]::text[], array[?]::text[], array[?]::numeric[], array[?]::numeric[])
           as u(id, sku, name, category, unit_price, unit_cost)`,
        [workspaceId, products.map((p) => p.id), products.map((p) => p.sku), products.map((p) => p.name), products.map((p) => p.category),
          products.map((p) => p.unitPrice), products.map((p) => p.unitCost)],
      );
      await run(
        `insert into inventory_levels (product_id, workspace_id, on_hand, reorder_point, avg_daily_units)
         select u.product_id, ?::uuid, u.on_hand, u.reorder_point, u.avg_daily_units
         from unnest(array[?]::uuid[], array[?]::int[], array[?]::int[], array[?]::numeric[]) as u(product_id, on_hand, reorder_point, avg_daily_units)`,
        [workspaceId, inventory.map((r) => r.productId), inventory.map((r) => r.onHand), inventory.map((r) => r.reorderPoint), inventory.map((r) => r.avg)],
      );
      for (let i = 0; i < cols.product.length; i += batchSize) {
        const part = <T>(a: T[]) => a.slice(i, i + batchSize);
        await run(
          `insert into sales_orders (workspace_id, product_id, ordered_at, units, revenue, cost)
           select ?::uuid, u.product_id, u.ordered_at, u.units, u.revenue, u.cost
           from unnest(array[?]::uuid[], array[?]::timestamptz[], array[?]::int[], array[?]::numeric[], array[?]::numeric[])
             as u(product_id, ordered_at, units, revenue, cost)`,
          [workspaceId, part(cols.product), part(cols.at), part(cols.units), part(cols.revenue), part(cols.cost)],
        );
      }
    });
  } catch (err) {
    // Another seeder won the race for this workspace.
    if (err instanceof UniqueConstraintViolationException) return { seeded: false, products: 0, orders: 0 };
    throw err;
  }
  return { seeded: true, products: products.length, orders: cols.product.length };
}
