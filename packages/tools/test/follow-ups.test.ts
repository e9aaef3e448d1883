// The offline assistant's follow-ups: a question leaning on the one before changes that question's
// tool call; a question that stands alone is read on its own.
import { describe, expect, it } from 'vitest';
import { planFollowUp, planInConversation } from '../src/follow-ups.ts';

const now = new Date('2026-12-02T12:00:00Z');

describe('follow-ups', () => {
  it('carries the tool and range of the question before and changes what the follow-up names', () => {
    expect(planInConversation('And for Toys?', ['Sales in 2025'], { now })).toEqual({ tool: 'get_sales_by_month', args: { from: '2025-01-01', to: '2025-12-31', category: 'Toys' } });
    expect(planInConversation('What about Outdoor?', ['Sales in 2025', 'And for Toys?'], { now })).toEqual({ tool: 'get_sales_by_month', args: { from: '2025-01-01', to: '2025-12-31', category: 'Outdoor' } });
    expect(planInConversation('And in 2024?', ['Electronics revenue in 2025'], { now })).toEqual({ tool: 'get_sales_by_month', args: { category: 'Electronics', from: '2024-01-01', to: '2024-12-31' } });
  });

  it('turns a ranking around and keeps its metric', () => {
    const plan = planInConversation('And the worst 3?', ['Top 5 products by margin in 2025'], { now });
    expect(plan).toEqual({ tool: 'get_product_analytics', args: { metric: 'margin', order: 'bottom', limit: 3, from: '2025-01-01', to: '2025-12-31' } });
    expect(planInConversation('Same for Apparel', ['Top 5 products by margin in 2025', 'And the worst 3?'], { now })?.args).toMatchObject({ order: 'bottom', limit: 3, category: 'Apparel' });
  });

  it('moves an agent question to another agent, and an inventory question to one category', () => {
    expect(planInConversation('And for support-agent?', ['Latency of checkout-bot in the last 24 hours'], { now })).toEqual({ tool: 'query_agent_metrics', args: { metric: 'latency_ms', agent: 'support-agent', lastHours: 24 } });
    expect(planInConversation('Only Outdoor', ['Which items are low on stock?'], { now })).toEqual({ tool: 'get_inventory_status', args: { belowReorderOnly: true, category: 'Outdoor' } });
  });

  it('reads a question that stands alone on its own, even after another topic', () => {
    expect(planInConversation('And which items are low on stock?', ['Sales in 2025'], { now })?.tool).toBe('get_inventory_status');
    expect(planInConversation('Top 5 products by revenue', ['Which items are low on stock?'], { now })?.tool).toBe('get_product_analytics');
    expect(planInConversation('And for Toys?', [], { now })).toBeNull(); // nothing to lean on: the capabilities answer
  });

  it('changes nothing it cannot carry: tasks and unchanged questions give no follow-up', () => {
    expect(planFollowUp('and for Toys?', { tool: 'create_task', args: { title: 'x' } }, { now })).toBeNull();
    expect(planFollowUp('and again?', { tool: 'get_sales_by_month', args: {} }, { now })).toBeNull();
    expect(planInConversation('Thanks!', ['Sales in 2025'], { now })).toBeNull();
  });
});
