// The offline assistant: no LLM. Maps a plain question to one tool call by keywords, and writes a
// short markdown answer from the tool's result. Deterministic for a given question and clock.
import { DEMO_CATEGORIES } from './demo-data.ts';
import { isoDay, startOfUtcMonth } from './date-range.ts';
import { formatCount, formatMoney } from './format.ts';
import type { ToolResult } from './result.ts';
import type { SalesMonthRow } from './get-sales-by-month.ts';
import type { InventoryItem } from './get-inventory-status.ts';
import type { ProductRow, ProductMetric } from './get-product-analytics.ts';
import { planAgentQuestion } from './agent-questions.ts';
import { planTaskRequest, writeTaskAnswer } from './task-requests.ts';

export interface OfflinePlan {
  tool: string;
  args: Record<string, unknown>;
}

export interface PlanOptions {
  /** Clock for relative ranges ("last 6 months"); default now. */
  now?: Date;
  /** Category names recognised in questions; default the demo categories. */
  categories?: readonly string[];
}

const WORD_NUMBERS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, twenty: 20, eighteen: 18, 'twenty-four': 24, thirty: 30,
};
const NUM = `(\\d{1,3}|${Object.keys(WORD_NUMBERS).sort((a, b) => b.length - a.length).join('|')})`;
const toInt = (s: string) => WORD_NUMBERS[s] ?? Number(s);

const INVENTORY = /\b(inventory|stocks?|stocked|reorder(?:ing)?|restock(?:ing)?|on hand|days? of cover|running low|run(?:ning)? out|out of stock)\b/;
const INVENTORY_AT_RISK = /\b(low|reorder(?:ing)?|restock(?:ing)?|out of stock|run(?:ning)? out|running low|short(?:age)?|below)\b/;
const RANK = /\b(top|best|worst|bottom|highest|lowest|least|most|weakest|strongest|rank(?:ing|ed)?|best[- ]selling|best[- ]sellers?|leaders?)\b/;
const PRODUCT = /\b(products?|items?|skus?|sellers?|lines?)\b/;
const MARGIN = /\b(margins?|profit(?:s|able|ability)?|gross)\b/;
const SALES = /\b(sales|sold|sell|selling|revenue|turnover|income|orders?|units?|months?|monthly|trend|trends|growth|seasonal(?:ity)?|performance|how much)\b/;

/** Date range words in a question → {from, to} as ISO dates (to inclusive), or nothing. */
export function parseRange(question: string, now: Date = new Date()): { from?: string; to?: string } {
  const q = question.toLowerCase();
  const lastN = new RegExp(`\\b(?:last|past|previous|recent)\\s+${NUM}\\s+(months?|weeks?|days?|years?)\\b`).exec(q);
  if (lastN) {
    const n = Math.max(1, toInt(lastN[1]!));
    const unit = lastN[2]!.replace(/s$/, '');
    if (unit === 'month') return { from: isoDay(startOfUtcMonth(now, n - 1)) };
    if (unit === 'year') return { from: isoDay(startOfUtcMonth(now, 12 * n - 1)) };
    const days = unit === 'week' ? 7 * n : n;
    return { from: isoDay(new Date(now.getTime() - (days - 1) * 86_400_000)) };
  }
  const year = /\b(?:in|for|during|of|year)?\s*((?:19|20)\d{2})\b/.exec(q);
  if (year) {
    const y = year[1]!;
    return { from: `${y}-01-01`, to: `${y}-12-31` };
  }
  if (/\b(this|current) year\b|\bytd\b|year to date/.test(q)) return { from: `${now.getUTCFullYear()}-01-01` };
  if (/\blast year\b|\bprevious year\b/.test(q)) {
    const y = now.getUTCFullYear() - 1;
    return { from: `${y}-01-01`, to: `${y}-12-31` };
  }
  if (/\b(this|current) month\b/.test(q)) return { from: isoDay(startOfUtcMonth(now)) };
  if (/\b(last|previous|past) month\b/.test(q)) {
    const from = startOfUtcMonth(now, 1);
    return { from: isoDay(from), to: isoDay(new Date(startOfUtcMonth(now).getTime() - 1)) };
  }
  return {};
}

export function findCategory(question: string, categories: readonly string[]): string | undefined {
  const q = question.toLowerCase();
  return categories.find((c) => {
    const name = c.toLowerCase();
    const first = name.split(/\s*&\s*|\s+/)[0]!;
    return q.includes(name) || new RegExp(`\\b${first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(q);
  });
}

/** The one tool call that answers a plain question, or null when the question is out of reach. */
export function planOffline(question: string, opts: PlanOptions = {}): OfflinePlan | null {
  const q = question.toLowerCase().replace(/\s+/g, ' ').trim();
  if (!q) return null;
  const now = opts.now ?? new Date();
  // Task requests first: "remind me to check sales" is a task, not a sales question.
  const taskPlan = planTaskRequest(question, now);
  if (taskPlan) return taskPlan;
  const range = parseRange(q, now);
  const agentPlan = planAgentQuestion(question, now, range);
  if (agentPlan) return agentPlan;
  const category = findCategory(q, opts.categories ?? DEMO_CATEGORIES);
  const withCategory = category ? { category } : {};

  if (INVENTORY.test(q) && !MARGIN.test(q)) {
    return { tool: 'get_inventory_status', args: { belowReorderOnly: INVENTORY_AT_RISK.test(q), ...withCategory } };
  }

  // "best month" ranks months (sales), but "in the last 3 months" is only a range.
  const withoutRange = q.replace(/\b(?:last|past|previous|recent|this|current)\s+(?:\S+\s+)?(?:months?|weeks?|days?|years?)\b/g, '');
  const ranksMonths = /\b(month|months|monthly)\b/.test(withoutRange);
  const ranksProducts = RANK.test(q) && (PRODUCT.test(q) || /\bbest[- ]sell/.test(q)) && !ranksMonths;
  if (MARGIN.test(q) || ranksProducts) {
    const metric: ProductMetric = MARGIN.test(q)
      ? 'margin'
      : /\b(units?|volume|quantity|quantities|sold most|most sold|best[- ]sell\w*|popular)\b/.test(q)
        ? 'units'
        : 'revenue';
    const order = /\b(worst|bottom|lowest|least|weakest|poorest|slowest)\b/.test(q) ? 'bottom' : 'top';
    const limitMatch = new RegExp(`\\b(?:top|bottom|best|worst|first|last)\\s+${NUM}\\b`).exec(q) ?? new RegExp(`\\b${NUM}\\s+(?:best|worst|top|bottom)\\b`).exec(q);
    const limit = limitMatch ? Math.min(50, Math.max(1, toInt(limitMatch[1]!))) : order === 'top' ? 10 : 5;
    return { tool: 'get_product_analytics', args: { metric, order, limit, ...range, ...withCategory } };
  }

  if (SALES.test(q) || RANK.test(q)) {
    return { tool: 'get_sales_by_month', args: { ...range, ...withCategory } };
  }
  return null;
}

export const OFFLINE_CAPABILITIES = [
  '**Sales by month**: “How did sales trend over the last 6 months?”, “Revenue in 2025”, “Monthly sales of Toys”',
  '**Inventory**: “Which items are below their reorder point?”, “Show stock levels for Outdoor”',
  '**Product rankings**: “Top 5 products by revenue”, “Worst products by margin last year”, “Best-selling products”',
  '**Agents**: “Which agents are degraded?”, “Latency of checkout-bot last 24h”, “What did agents cost this week?”',
  '**Your tasks**: “Remind me to call Ana tomorrow”, “What’s on my list?”, “Mark call Ana as done”, “Rename call Ana to call Ana and Bo”, “Delete call Ana”',
];

export function offlineFallbackAnswer(): string {
  return [
    'I’m the offline assistant (no language model is configured), so I can only answer questions I recognise. Try one of these:',
    '',
    ...OFFLINE_CAPABILITIES.map((c) => `- ${c}`),
  ].join('\n');
}

const monthRange = (rows: SalesMonthRow[]) => (rows.length ? (rows.length === 1 ? rows[0]!.month : `${rows[0]!.month} to ${rows.at(-1)!.month}`) : '');

function answerSales(data: { rows: SalesMonthRow[]; totals: { revenue: number; units: number; orders: number }; category?: string }): string {
  const rows = data.rows;
  const scope = data.category ? ` for **${data.category}**` : '';
  if (!data.totals.orders) return `No sales${scope} in ${monthRange(rows) || 'that period'}.`;
  const withSales = rows.filter((r) => r.orders > 0);
  const best = withSales.reduce((b, r) => (r.revenue > b.revenue ? r : b));
  const worst = withSales.reduce((b, r) => (r.revenue < b.revenue ? r : b));
  const lines = [
    `Sales${scope}, ${monthRange(rows)}: **${formatMoney(data.totals.revenue)}** revenue from ${formatCount(data.totals.units)} units in ${formatCount(data.totals.orders)} orders.`,
    '',
    `- Best month: **${best.month}** (${formatMoney(best.revenue)})`,
    `- Weakest month: ${worst.month} (${formatMoney(worst.revenue)})`,
    `- Average per month: ${formatMoney(data.totals.revenue / rows.length)}`,
  ];
  const first = withSales[0]!;
  const last = withSales.at(-1)!;
  if (withSales.length >= 2 && first.revenue > 0) {
    const change = ((last.revenue - first.revenue) / first.revenue) * 100;
    lines.push(`- ${last.month} vs ${first.month}: ${change >= 0 ? '+' : ''}${change.toFixed(0)}%`);
  }
  return lines.join('\n');
}

function answerInventory(data: { items: InventoryItem[]; counts: { ok: number; low: number; out: number }; total: number }): string {
  const atRisk = data.items.filter((i) => i.status !== 'ok');
  const head = `${data.total} products tracked: **${data.counts.out} out of stock**, **${data.counts.low} below reorder point**, ${data.counts.ok} ok.`;
  if (!data.total) return 'No inventory records found.';
  if (!atRisk.length) return data.items.length ? `${head}\n\nNothing needs reordering right now.` : `${head}`;
  const lines = atRisk.slice(0, 10).map((i) => {
    const cover = i.days_of_cover === null ? '' : `, ${i.days_of_cover} days of cover`;
    return `- ${i.status === 'out' ? '**Out of stock**' : 'Low'}: ${i.name} (${i.sku}): ${i.on_hand} on hand, reorder point ${i.reorder_point}${cover}`;
  });
  if (atRisk.length > 10) lines.push(`- …and ${atRisk.length - 10} more`);
  return [head, '', 'Needs reordering:', ...lines].join('\n');
}

function answerAgents(result: ToolResult): string {
  const data = result.data as { agents: { name: string; status: string; reason: string | null }[] };
  if (!data.agents.length) return result.summary;
  const lines = data.agents.slice(0, 20).map((a) => `- **${a.name}**: ${a.status}${a.reason ? ` (${a.reason})` : ''}`);
  if (data.agents.length > 20) lines.push(`- …and ${data.agents.length - 20} more`);
  return [result.summary, '', ...lines].join('\n');
}

function answerProducts(data: { metric: ProductMetric; order: 'top' | 'bottom'; products: ProductRow[] }): string {
  if (!data.products.length) return 'No products found.';
  const value = (p: ProductRow) =>
    data.metric === 'units' ? `${formatCount(p.units)} units` : data.metric === 'margin' ? `${formatMoney(p.margin)} margin${p.margin_pct === null ? '' : ` (${p.margin_pct}%)`}` : formatMoney(p.revenue);
  const lines = data.products.slice(0, 3).map((p) => `${p.rank}. **${p.name}** (${p.category}): ${value(p)}`);
  const rest = data.products.length > 3 ? `\n\n${data.products.length - 3} more in the chart.` : '';
  return `${data.order === 'top' ? 'Top' : 'Bottom'} products by ${data.metric}:\n\n${lines.join('\n')}${rest}`;
}

/** A short markdown answer from one tool result; the fallback when there was no tool to run. */
export function writeOfflineAnswer(question: string, toolName: string | null, result: ToolResult | null): string {
  void question;
  if (!toolName || !result) return offlineFallbackAnswer();
  const data = result.data as never;
  switch (toolName) {
    case 'get_sales_by_month':
      return answerSales(data);
    case 'get_inventory_status':
      return answerInventory(data);
    case 'get_product_analytics':
      return answerProducts(data);
    case 'list_agents':
      return answerAgents(result);
    case 'create_task':
    case 'list_tasks':
    case 'update_task':
    case 'toggle_task_completion':
    case 'delete_task':
      return writeTaskAnswer(result);
    default:
      return result.summary;
  }
}
