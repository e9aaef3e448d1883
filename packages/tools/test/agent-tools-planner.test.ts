// The offline assistant maps plain questions about agents to list_agents / query_agent_metrics,
// and leaves sales questions (even with hyphenated product names) to the sales tools.
import { describe, expect, it } from 'vitest';
import { planOffline, tools } from '../src/index.ts';

const now = new Date('2026-11-26T15:00:00Z'); // a Thursday

describe('offline planner: agent questions', () => {
  it.each([
    ['Which agents are degraded?', { tool: 'list_agents', args: { status: 'degraded' } }],
    ['Are any bots down right now?', { tool: 'list_agents', args: { status: 'down' } }],
    ['List our agents', { tool: 'list_agents', args: {} }],
    ['latency of checkout-bot last 24h', { tool: 'query_agent_metrics', args: { metric: 'latency_ms', agent: 'checkout-bot', lastHours: 24 } }],
    ['What was the p95 of "search" in the last 3 hours?', { tool: 'query_agent_metrics', args: { metric: 'latency_ms', agent: 'search', lastHours: 3 } }],
    ['What did agents cost this week?', { tool: 'query_agent_metrics', args: { metric: 'cost_usd', from: '2026-11-23' } }],
    ['agent spend last week', { tool: 'query_agent_metrics', args: { metric: 'cost_usd', from: '2026-11-16', to: '2026-11-22' } }],
    ['error rate of pricing-agent today', { tool: 'query_agent_metrics', args: { metric: 'error_rate', agent: 'pricing-agent', from: '2026-11-26' } }],
    ['tokens used by agents in the last 7 days', { tool: 'query_agent_metrics', args: { metric: 'tokens', from: '2026-11-20' } }],
    ['GPU of render-bot yesterday', { tool: 'query_agent_metrics', args: { metric: 'gpu_pct', agent: 'render-bot', from: '2026-11-25', to: '2026-11-25' } }],
  ])('%s', (question, plan) => {
    expect(planOffline(question, { now })).toEqual(plan);
  });

  it('plans only tools that exist, with arguments they accept', () => {
    for (const q of ['Which agents are degraded?', 'latency of checkout-bot last 24h', 'What did agents cost this week?']) {
      const plan = planOffline(q, { now })!;
      const tool = tools.find((t) => t.name === plan.tool)!;
      expect(tool.parameters.safeParse(plan.args).success, q).toBe(true);
    }
  });

  it('leaves sales questions alone', () => {
    expect(planOffline('Sales of T-shirts last year', { now })?.tool).toBe('get_sales_by_month');
    expect(planOffline('What did we sell this month?', { now })?.tool).toBe('get_sales_by_month');
    expect(planOffline('Which items are running low?', { now })?.tool).toBe('get_inventory_status');
  });
});
