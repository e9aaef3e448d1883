// list_agents: the workspace's AI agents with status (ok / degraded / down), why, and when last seen.
import { z } from 'zod';
import { listAgents } from '@tandem/core';
import { agentStatusSchema } from '@tandem/schema';
import { defineTool } from './define-tool.ts';

export const listAgentsParameters = z.object({
  status: agentStatusSchema.describe('Only agents with this status (degraded: latency or error rate above their thresholds; down: silent).').optional(),
});

export interface AgentRow {
  id: string;
  name: string;
  status: 'ok' | 'degraded' | 'down';
  reason: string | null;
  last_seen: string | null;
  model: string | null;
  owner: string | null;
}

export const listAgentsTool = defineTool({
  name: 'list_agents',
  description:
    "The workspace's AI agents with their status (ok, degraded when p95 latency or error rate is above the agent's " +
    'thresholds over the last 5 minutes, down when no samples arrived for its down-after time), the reason, when each ' +
    'was last seen, its model and owner. Optionally only one status. Use the names or ids with query_agent_metrics.',
  parameters: listAgentsParameters,
  async handler(params, ctx) {
    ctx.signal?.throwIfAborted();
    const all = await listAgents(ctx.em, ctx.workspaceId);
    ctx.signal?.throwIfAborted();
    const counts = { ok: 0, degraded: 0, down: 0 };
    for (const a of all) counts[a.status]++;
    const agents: AgentRow[] = all
      .filter((a) => !params.status || a.status === params.status)
      .map((a) => ({ id: a.id, name: a.name, status: a.status, reason: a.statusReason, last_seen: a.lastSeenAt, model: a.model, owner: a.owner }));
    const troubled = agents.filter((a) => a.status !== 'ok').slice(0, 5).map((a) => `${a.name} ${a.status}${a.reason ? ` (${a.reason})` : ''}`);
    const summary = !all.length
      ? 'This workspace has no agents yet: they appear when they first send metrics.'
      : `${all.length} agents: ${counts.ok} ok, ${counts.degraded} degraded, ${counts.down} down.` +
        (params.status ? ` ${agents.length} ${params.status}${agents.length ? `: ${agents.map((a) => a.name).slice(0, 10).join(', ')}` : ''}.` : '') +
        (troubled.length ? ` ${troubled.join('; ')}.` : '');
    return {
      data: { agents, counts, ...(params.status ? { status: params.status } : {}) },
      chart: { kind: 'table', x: 'name', series: ['status', 'reason', 'last_seen', 'model'], title: params.status ? `Agents ${params.status}` : 'Agents' },
      summary,
    };
  },
});
