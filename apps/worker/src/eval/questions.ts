// The assistant's accuracy set (`npm run eval`): plain questions with the tool call and the figures
// each answer must hold. Written before tuning; questions are added when one fails, never removed.
import type { Truth } from './truth.ts';

export const EVAL_SET_VERSION = 1;

export interface Expectation {
  /** The tool the answer needs, or null: a question that needs no tool (no call may be made). */
  tool: string | null;
  /** Arguments that call must carry (strings compared without case). */
  args?: Record<string, unknown>;
  /** Figures and names the reply must contain, computed from the data with SQL of our own. */
  says?: (t: Truth) => string[];
}

export interface EvalTurn {
  question: string;
  expect: Expectation;
}

/** One conversation: later turns may depend on earlier ones ("and for Toys?"). */
export interface EvalCase {
  id: string;
  topic: 'sales' | 'inventory' | 'products' | 'agents' | 'costs' | 'tasks' | 'follow-up' | 'no tool';
  turns: EvalTurn[];
}

const one = (id: string, topic: EvalCase['topic'], question: string, expect: Expectation): EvalCase => ({ id, topic, turns: [{ question, expect }] });
const Y = (t: Truth) => t.lastFullYear;

export const EVAL_CASES: EvalCase[] = [
  // Sales by month: the year's figures come from sales_orders directly.
  one('sales-year', 'sales', 'What were our sales last year?', { tool: 'get_sales_by_month', says: (t) => [t.sales(Y(t)).revenue] }),
  one('sales-year-number', 'sales', 'Revenue in LAST_YEAR', { tool: 'get_sales_by_month', says: (t) => [t.sales(Y(t)).revenue] }),
  one('sales-year-orders', 'sales', 'How many orders did we get in LAST_YEAR?', { tool: 'get_sales_by_month', says: (t) => [t.sales(Y(t)).orders] }),
  one('sales-year-units', 'sales', 'How many units did we sell in LAST_YEAR?', { tool: 'get_sales_by_month', says: (t) => [t.sales(Y(t)).units] }),
  one('sales-year-best-month', 'sales', 'Which month of LAST_YEAR had the best sales?', { tool: 'get_sales_by_month', says: (t) => [t.sales(Y(t)).bestMonth] }),
  one('sales-year-worst-month', 'sales', 'What was the weakest sales month in LAST_YEAR?', { tool: 'get_sales_by_month', says: (t) => [t.sales(Y(t)).worstMonth] }),
  one('sales-trend-6', 'sales', 'How did sales trend over the last 6 months?', { tool: 'get_sales_by_month' }),
  one('sales-trend-12', 'sales', 'Show me monthly revenue for the past 12 months', { tool: 'get_sales_by_month' }),
  one('sales-this-year', 'sales', 'What is our revenue year to date?', { tool: 'get_sales_by_month', args: { from: 'THIS_YEAR-01-01' } }),
  one('sales-toys-year', 'sales', 'Monthly sales of Toys in LAST_YEAR', { tool: 'get_sales_by_month', args: { category: 'Toys' }, says: (t) => [t.sales(Y(t), 'Toys').revenue] }),
  one('sales-outdoor-year', 'sales', 'How much did Outdoor sell in LAST_YEAR?', { tool: 'get_sales_by_month', args: { category: 'Outdoor' }, says: (t) => [t.sales(Y(t), 'Outdoor').revenue] }),
  one('sales-electronics-year', 'sales', 'Electronics revenue for LAST_YEAR', { tool: 'get_sales_by_month', args: { category: 'Electronics' }, says: (t) => [t.sales(Y(t), 'Electronics').revenue] }),
  one('sales-office-year', 'sales', 'Give me the Office sales by month for LAST_YEAR', { tool: 'get_sales_by_month', args: { category: 'Office' }, says: (t) => [t.sales(Y(t), 'Office').revenue] }),
  one('sales-apparel-year', 'sales', 'Apparel turnover in LAST_YEAR?', { tool: 'get_sales_by_month', args: { category: 'Apparel' }, says: (t) => [t.sales(Y(t), 'Apparel').revenue] }),
  one('sales-kitchen-year', 'sales', 'What did Home & Kitchen sell in LAST_YEAR?', { tool: 'get_sales_by_month', args: { category: 'Home & Kitchen' }, says: (t) => [t.sales(Y(t), 'Home & Kitchen').revenue] }),
  one('sales-growth', 'sales', 'Is our sales growth positive over the past year?', { tool: 'get_sales_by_month' }),
  one('sales-last-month', 'sales', 'How were sales last month?', { tool: 'get_sales_by_month' }),
  one('sales-seasonality', 'sales', 'Do we see seasonality in monthly sales?', { tool: 'get_sales_by_month' }),

  // Inventory: counts from inventory_levels.
  one('inv-low', 'inventory', 'Which items are low on stock?', { tool: 'get_inventory_status', args: { belowReorderOnly: true }, says: (t) => [`${t.stock().out} out of stock`, `${t.stock().low} below reorder point`] }),
  one('inv-reorder', 'inventory', 'Which items are below their reorder point?', { tool: 'get_inventory_status', args: { belowReorderOnly: true } }),
  one('inv-out', 'inventory', 'Are we out of stock on anything?', { tool: 'get_inventory_status', args: { belowReorderOnly: true }, says: (t) => [`${t.stock().out} out of stock`] }),
  one('inv-levels', 'inventory', 'Show stock levels for everything', { tool: 'get_inventory_status', args: { belowReorderOnly: false }, says: (t) => [`${t.stock().total} products tracked`] }),
  one('inv-outdoor', 'inventory', 'Show stock levels for Outdoor', { tool: 'get_inventory_status', args: { category: 'Outdoor' }, says: (t) => [`${t.stock('Outdoor').total} products tracked`] }),
  one('inv-toys-low', 'inventory', 'What toys do we need to restock?', { tool: 'get_inventory_status', args: { category: 'Toys', belowReorderOnly: true } }),
  one('inv-running-out', 'inventory', 'What is running out soon?', { tool: 'get_inventory_status', args: { belowReorderOnly: true } }),
  one('inv-electronics', 'inventory', 'Electronics inventory please', { tool: 'get_inventory_status', args: { category: 'Electronics' }, says: (t) => [`${t.stock('Electronics').total} products tracked`] }),
  one('inv-on-hand', 'inventory', 'How many units of each product do we have on hand?', { tool: 'get_inventory_status' }),
  one('inv-office-low', 'inventory', 'Anything in Office below reorder?', { tool: 'get_inventory_status', args: { category: 'Office', belowReorderOnly: true } }),

  // Product rankings: the year's leader from sales_orders.
  one('prod-top-revenue', 'products', 'Top 5 products by revenue in LAST_YEAR', { tool: 'get_product_analytics', args: { metric: 'revenue', order: 'top', limit: 5 }, says: (t) => [t.topProduct(Y(t), 'revenue')] }),
  one('prod-best-selling', 'products', 'What were the best-selling products in LAST_YEAR?', { tool: 'get_product_analytics', args: { metric: 'units', order: 'top' }, says: (t) => [t.topProduct(Y(t), 'units')] }),
  one('prod-worst-margin', 'products', 'Worst products by margin in LAST_YEAR', { tool: 'get_product_analytics', args: { metric: 'margin', order: 'bottom' }, says: (t) => [t.bottomProduct(Y(t), 'margin')] }),
  one('prod-top-margin', 'products', 'Which products are the most profitable in LAST_YEAR?', { tool: 'get_product_analytics', args: { metric: 'margin', order: 'top' }, says: (t) => [t.topProduct(Y(t), 'margin')] }),
  one('prod-bottom-3', 'products', 'Bottom 3 products by revenue in LAST_YEAR', { tool: 'get_product_analytics', args: { order: 'bottom', limit: 3 }, says: (t) => [t.bottomProduct(Y(t), 'revenue')] }),
  one('prod-top-10', 'products', 'Rank the top ten products', { tool: 'get_product_analytics', args: { order: 'top', limit: 10 } }),
  one('prod-toys-top', 'products', 'Top Toys products by revenue in LAST_YEAR', { tool: 'get_product_analytics', args: { category: 'Toys', order: 'top' }, says: (t) => [t.topProduct(Y(t), 'revenue', 'Toys')] }),
  one('prod-outdoor-units', 'products', 'Best-selling Outdoor items by units in LAST_YEAR', { tool: 'get_product_analytics', args: { category: 'Outdoor', metric: 'units' }, says: (t) => [t.topProduct(Y(t), 'units', 'Outdoor')] }),
  one('prod-least-popular', 'products', 'Which product sold the least units in LAST_YEAR?', { tool: 'get_product_analytics', args: { metric: 'units', order: 'bottom' }, says: (t) => [t.bottomProduct(Y(t), 'units')] }),
  one('prod-gross-margin', 'products', 'Gross margin by product for LAST_YEAR', { tool: 'get_product_analytics', args: { metric: 'margin' }, says: (t) => [t.topProduct(Y(t), 'margin')] }),
  one('prod-highest-revenue', 'products', 'Which product brought in the highest revenue in LAST_YEAR?', { tool: 'get_product_analytics', args: { metric: 'revenue', order: 'top' }, says: (t) => [t.topProduct(Y(t), 'revenue')] }),
  one('prod-electronics-bottom', 'products', 'Weakest Electronics products by revenue in LAST_YEAR', { tool: 'get_product_analytics', args: { category: 'Electronics', order: 'bottom' }, says: (t) => [t.bottomProduct(Y(t), 'revenue', 'Electronics')] }),
  one('prod-office-margin', 'products', 'Office products ranked by margin in LAST_YEAR', { tool: 'get_product_analytics', args: { category: 'Office', metric: 'margin' }, says: (t) => [t.topProduct(Y(t), 'margin', 'Office')] }),
  one('prod-top-seller', 'products', 'Who are our top sellers?', { tool: 'get_product_analytics', args: { order: 'top' } }),

  // Agents: status and metrics of the agents seeded for the eval.
  one('agents-list', 'agents', 'List our agents', { tool: 'list_agents', says: (t) => t.agentNames }),
  one('agents-status', 'agents', 'How are the agents doing?', { tool: 'list_agents', says: (t) => t.agentNames }),
  one('agents-down', 'agents', 'Which agents are down?', { tool: 'list_agents', args: { status: 'down' } }),
  one('agents-degraded', 'agents', 'Are any bots degraded?', { tool: 'list_agents', args: { status: 'degraded' } }),
  one('agents-latency', 'agents', 'Latency of checkout-bot in the last 24 hours', { tool: 'query_agent_metrics', args: { metric: 'latency_ms', agent: 'checkout-bot', lastHours: 24 } }),
  one('agents-errors', 'agents', 'What is the error rate of support-agent today?', { tool: 'query_agent_metrics', args: { metric: 'error_rate', agent: 'support-agent' } }),
  one('agents-tokens', 'agents', 'How many tokens did checkout-bot use in the last 6 hours?', { tool: 'query_agent_metrics', args: { metric: 'tokens', agent: 'checkout-bot', lastHours: 6 } }),
  one('agents-cpu', 'agents', 'CPU of support-agent over the past hour', { tool: 'query_agent_metrics', args: { metric: 'cpu_pct', agent: 'support-agent', lastHours: 1 } }),
  one('agents-memory', 'agents', 'Memory use of the agents today', { tool: 'query_agent_metrics', args: { metric: 'memory_mb' } }),
  one('agents-throughput', 'agents', 'Throughput of checkout-bot in the last 12 hours', { tool: 'query_agent_metrics', args: { metric: 'throughput', agent: 'checkout-bot', lastHours: 12 } }),
  one('agents-slowest', 'agents', 'Which agent is slowest today?', { tool: 'query_agent_metrics', args: { metric: 'latency_ms' } }),
  one('agents-gpu', 'agents', 'GPU load of our agents in the last 3 hours', { tool: 'query_agent_metrics', args: { metric: 'gpu_pct', lastHours: 3 } }),

  // Costs of agents.
  one('costs-week', 'costs', 'What did agents cost this week?', { tool: 'query_agent_metrics', args: { metric: 'cost_usd' } }),
  one('costs-checkout', 'costs', 'How much did checkout-bot cost in the last 24 hours?', { tool: 'query_agent_metrics', args: { metric: 'cost_usd', agent: 'checkout-bot', lastHours: 24 } }),
  one('costs-today', 'costs', 'Agent spend today', { tool: 'query_agent_metrics', args: { metric: 'cost_usd' } }),
  one('costs-support', 'costs', 'What is support-agent spending this week?', { tool: 'query_agent_metrics', args: { metric: 'cost_usd', agent: 'support-agent' } }),
  one('costs-expensive', 'costs', 'Which bots are the most expensive yesterday?', { tool: 'query_agent_metrics', args: { metric: 'cost_usd' } }),
  one('costs-requests', 'costs', 'How many requests did the agents serve today?', { tool: 'query_agent_metrics', args: { metric: 'requests' } }),

  // Tasks: one conversation, each turn depends on the list the earlier turns made.
  {
    id: 'tasks-lifecycle', topic: 'tasks', turns: [
      { question: 'Remind me to call Ana about the Q3 report', expect: { tool: 'create_task', args: { title: 'Call Ana about the Q3 report' }, says: () => ['Call Ana about the Q3 report'] } },
      { question: 'Add a task: order new toner', expect: { tool: 'create_task', args: { title: 'Order new toner' }, says: () => ['Order new toner'] } },
      { question: 'Add review the inventory report to my list', expect: { tool: 'create_task', says: () => ['Review the inventory report'] } },
      { question: "What's on my list?", expect: { tool: 'list_tasks', says: () => ['Call Ana about the Q3 report', 'Order new toner', 'Review the inventory report'] } },
      { question: 'Mark order new toner as done', expect: { tool: 'toggle_task_completion', args: { completed: true }, says: () => ['Order new toner'] } },
      { question: 'Show my done tasks', expect: { tool: 'list_tasks', args: { filter: 'done' }, says: () => ['Order new toner'] } },
      { question: 'Rename call Ana about the Q3 report to call Ana and Bo about Q3', expect: { tool: 'update_task', says: () => ['Call Ana and Bo about Q3'] } },
      { question: 'Delete review the inventory report', expect: { tool: 'delete_task', says: () => ['Review the inventory report'] } },
      { question: 'What do I still have to do?', expect: { tool: 'list_tasks', args: { filter: 'open' }, says: () => ['Call Ana and Bo about Q3'] } },
    ],
  },
  {
    id: 'tasks-due', topic: 'tasks', turns: [
      { question: 'Remind me to renew the domain tomorrow', expect: { tool: 'create_task', args: { title: 'Renew the domain', due: 'TOMORROW' }, says: () => ['Renew the domain'] } },
      { question: 'Reopen order new toner', expect: { tool: 'toggle_task_completion', args: { completed: false }, says: () => ['Order new toner'] } },
      { question: 'I finished renew the domain', expect: { tool: 'toggle_task_completion', args: { completed: true }, says: () => ['Renew the domain'] } },
    ],
  },

  // Follow-ups: the later turn is only answerable with the earlier one.
  {
    id: 'follow-category', topic: 'follow-up', turns: [
      { question: 'Sales in LAST_YEAR', expect: { tool: 'get_sales_by_month', says: (t) => [t.sales(Y(t)).revenue] } },
      { question: 'And for Toys?', expect: { tool: 'get_sales_by_month', args: { category: 'Toys' }, says: (t) => [t.sales(Y(t), 'Toys').revenue] } },
      { question: 'What about Outdoor?', expect: { tool: 'get_sales_by_month', args: { category: 'Outdoor' }, says: (t) => [t.sales(Y(t), 'Outdoor').revenue] } },
    ],
  },
  {
    id: 'follow-year', topic: 'follow-up', turns: [
      { question: 'Electronics revenue in LAST_YEAR', expect: { tool: 'get_sales_by_month', args: { category: 'Electronics' }, says: (t) => [t.sales(Y(t), 'Electronics').revenue] } },
      { question: 'And in YEAR_BEFORE?', expect: { tool: 'get_sales_by_month', args: { category: 'Electronics', from: 'YEAR_BEFORE-01-01' }, says: (t) => [t.sales(Y(t) - 1, 'Electronics').revenue] } },
    ],
  },
  {
    id: 'follow-ranking', topic: 'follow-up', turns: [
      { question: 'Top 5 products by revenue in LAST_YEAR', expect: { tool: 'get_product_analytics', args: { order: 'top', limit: 5 }, says: (t) => [t.topProduct(Y(t), 'revenue')] } },
      { question: 'And the worst 3?', expect: { tool: 'get_product_analytics', args: { order: 'bottom', limit: 3 }, says: (t) => [t.bottomProduct(Y(t), 'revenue')] } },
      { question: 'Same for Apparel', expect: { tool: 'get_product_analytics', args: { category: 'Apparel', order: 'bottom' }, says: (t) => [t.bottomProduct(Y(t), 'revenue', 'Apparel')] } },
    ],
  },
  {
    id: 'follow-stock', topic: 'follow-up', turns: [
      { question: 'Which items are low on stock?', expect: { tool: 'get_inventory_status', args: { belowReorderOnly: true } } },
      { question: 'Only Outdoor', expect: { tool: 'get_inventory_status', args: { category: 'Outdoor', belowReorderOnly: true } } },
    ],
  },
  {
    id: 'follow-agent', topic: 'follow-up', turns: [
      { question: 'Latency of checkout-bot in the last 24 hours', expect: { tool: 'query_agent_metrics', args: { metric: 'latency_ms', agent: 'checkout-bot' } } },
      { question: 'And for support-agent?', expect: { tool: 'query_agent_metrics', args: { metric: 'latency_ms', agent: 'support-agent' } } },
    ],
  },

  // No tool: greetings, thanks, what it can do.
  one('none-hello', 'no tool', 'Hello!', { tool: null }),
  one('none-thanks', 'no tool', 'Thanks, that helps.', { tool: null }),
  one('none-capabilities', 'no tool', 'What can you do?', { tool: null }),
  one('none-who', 'no tool', 'Who are you?', { tool: null }),
  one('none-joke', 'no tool', 'Tell me a joke', { tool: null }),
  one('none-weather', 'no tool', "What's the weather in Paris?", { tool: null }),
];
