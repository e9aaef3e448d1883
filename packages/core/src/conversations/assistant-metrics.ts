// The assistant reports its own runs into the workspace's agent metrics as the agent
// `tandem-assistant`, so its latency, tokens, cost and errors show on the dashboard like any agent's.
import type { EntityManager } from '@mikro-orm/postgresql';
import { isMissingPartition } from '../metric-storage/partitions.ts';

export const ASSISTANT_AGENT = 'tandem-assistant';

export interface AssistantRunSample {
  workspaceId: string;
  /** The provider and model, e.g. "offline" or "openai gpt-4o-mini". */
  model: string;
  latencyMs: number;
  tokens: number | null;
  costUsd: number | null;
  /** The run did not complete (failed or timed out). */
  failed: boolean;
}

/**
 * One sample per finished run, written in the caller's transaction (finishRun's) so the run and its
 * sample commit together; the agent is registered on its first run. Without today's partition (made
 * days ahead by the metrics.partitions job) the sample is skipped, never the run: a savepoint.
 */
export async function recordAssistantRun(em: EntityManager, s: AssistantRunSample): Promise<boolean> {
  try {
    await em.transactional((sp) => sp.execute(
      `with agent as (
         insert into agents (id, workspace_id, name, model, last_seen_at) values (gen_random_uuid(), ?, ?, ?, now())
         on conflict (workspace_id, name) do update set model = excluded.model, last_seen_at = excluded.last_seen_at
         returning id
       )
       insert into metric_samples (workspace_id, agent_id, ts, latency_ms, tokens_out, cost_usd, requests, errors)
       select ?, id, now(), ?, ?, ?, 1, ? from agent`,
      [s.workspaceId, ASSISTANT_AGENT, s.model.slice(0, 100), s.workspaceId, s.latencyMs, s.tokens, s.costUsd, s.failed ? 1 : 0]));
    return true;
  } catch (err) {
    if (isMissingPartition(err)) return false;
    throw err;
  }
}
