// The offline assistant's reading of follow-ups ("and for Toys?", "what about 2024?", "the worst
// 3?", "only Outdoor"): the previous question's tool call with what the new one changes.
import { findAgentName, parseAgentRange } from './agent-questions.ts';
import { DEMO_CATEGORIES } from './demo-data.ts';
import { findCategory, parseRange, planOffline, type OfflinePlan, type PlanOptions } from './offline-planner.ts';

/** Words that open a question leaning on the one before. */
const LEANS_BACK = /^(?:and|but|also|now|then|what about|how about|same for|same but|same with|only|just|ok(?:ay)?,? (?:and|now))\b/i;
const ORDER = /\b(worst|bottom|lowest|least|weakest|best|top|highest|most|strongest)\b(?:\s+(\d{1,2}))?/i;
const BOTTOM = /^(worst|bottom|lowest|least|weakest)$/i;
/** Tools whose arguments a follow-up may change, and which arguments. */
const CARRIED = new Set(['get_sales_by_month', 'get_inventory_status', 'get_product_analytics', 'query_agent_metrics']);

/** The previous plan changed by `question`, or null when the question changes nothing in it. */
export function planFollowUp(question: string, previous: OfflinePlan, opts: PlanOptions = {}): OfflinePlan | null {
  if (!CARRIED.has(previous.tool)) return null;
  const now = opts.now ?? new Date();
  const q = question.toLowerCase();
  const args: Record<string, unknown> = { ...previous.args };
  let changed = false;
  const set = (key: string, value: unknown) => {
    if (args[key] !== value) changed = true;
    args[key] = value;
  };
  if (previous.tool === 'query_agent_metrics') {
    const agent = findAgentName(question);
    if (agent) set('agent', agent);
    const range = parseAgentRange(q, now, parseRange(q, now));
    if (Object.keys(range).length) {
      delete args.lastHours;
      delete args.from;
      delete args.to;
      for (const [k, v] of Object.entries(range)) set(k, v);
    }
    return changed ? { tool: previous.tool, args } : null;
  }
  const category = findCategory(q, opts.categories ?? DEMO_CATEGORIES);
  if (category) set('category', category);
  const range = parseRange(q, now);
  if (range.from || range.to) {
    delete args.from;
    delete args.to;
    for (const [k, v] of Object.entries(range)) set(k, v);
  }
  if (previous.tool === 'get_product_analytics') {
    const order = ORDER.exec(q);
    if (order) {
      set('order', BOTTOM.test(order[1]!) ? 'bottom' : 'top');
      if (order[2]) set('limit', Math.min(50, Math.max(1, Number(order[2]))));
    }
  }
  if (previous.tool === 'get_inventory_status' && /\b(low|reorder|out of stock|restock)\b/.test(q)) set('belowReorderOnly', true);
  return changed ? { tool: previous.tool, args } : null;
}

/**
 * The plan for the latest question given the conversation's earlier questions (oldest first): a
 * question that leans back on the one before ("and for Toys?") is read as a change to its plan;
 * any other is read on its own, and falls back to a change when it cannot stand alone.
 */
export function planInConversation(question: string, earlier: readonly string[], opts: PlanOptions = {}): OfflinePlan | null {
  let previous: OfflinePlan | null = null;
  const asked = [...earlier.slice(-10), question];
  for (const [i, q] of asked.entries()) {
    const leansBack = LEANS_BACK.test(q.trim()) && q.trim().split(/\s+/).length <= 8;
    const followUp: OfflinePlan | null = previous ? planFollowUp(q, previous, opts) : null;
    const plan: OfflinePlan | null = leansBack && followUp ? followUp : (planOffline(q, opts) ?? followUp);
    if (i === asked.length - 1) return plan;
    if (plan) previous = plan;
  }
  return null;
}
