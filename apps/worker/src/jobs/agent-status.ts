// agents.status (every 10 s, schedules.ts): recompute each agent's status and announce changes.
import { refreshAgentStatuses, type Runtime } from '@tandem/core';

export async function updateAgentStatuses(rt: Runtime): Promise<{ agents: number; changed: number }> {
  const { agents, changes } = await refreshAgentStatuses(rt.orm.em.fork(), rt.bus);
  if (changes.length) rt.log.info({ changes }, 'agent status changed');
  return { agents, changed: changes.length };
}
