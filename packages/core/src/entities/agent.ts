// The agents table: one row per agent of a workspace, registered by ingestion on its first sample
// (ingestion/agent-registry.ts), its status kept by agents/agent-status.ts; both use plain SQL.
import { defineEntity, p } from '@mikro-orm/core';
import { Workspace } from './workspace.ts';

export const AgentEntity = defineEntity({
  name: 'Agent',
  tableName: 'agents',
  uniques: [{ properties: ['workspace', 'name'] }],
  properties: {
    id: p.uuid().primary(),
    workspace: () => p.manyToOne(Workspace).ref()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('agents_workspace_id_fkey'),
    /** As the agent sends it; never renamed (ingestion caches name → id). */
    name: p.string().length(64),
    owner: p.string().length(120).nullable(),
    model: p.string().length(120).nullable(),
    version: p.string().length(60).nullable(),
    tags: p.json<string[]>().default('[]'),
    latencyThresholdMs: p.double().nullable(),
    /** errors / requests, 0..1. */
    errorRateThreshold: p.double().nullable(),
    downAfterMs: p.integer().default(60_000),
    status: p.enum(['ok', 'degraded', 'down'] as const).default('ok'),
    statusReason: p.string().length(200).nullable(),
    statusChangedAt: p.datetime().nullable(),
    lastSeenAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
