// The workspace's agents as the status board shows them: agent.list, with the statuses and
// last-seen times that metrics.live pushes laid over it.
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import { batch, createEffect, createMemo, on, type Accessor } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { Agent, AgentStatus } from './api.ts';
import type { LiveMetrics } from './liveMetrics.ts';
import { trpc } from '../trpc.ts';

export interface RosterAgent extends Agent {
  /** Last sample time in ms, from the list or a newer live point. */
  lastSeenMs: number | null;
  /** Position by name: picks the agent's colour. */
  colorIndex: number;
}

interface LiveOverlay {
  status?: AgentStatus;
  reason?: string | null;
  lastSeenMs?: number;
}

export const agentListKey = (workspaceId: string) => ['agent.list', workspaceId] as const;

/** Refetches the list when a live point comes from an agent it does not know yet (its first sample registered it). */
export function createAgentRoster(workspaceId: Accessor<string>, live: LiveMetrics) {
  const queryClient = useQueryClient();
  const query = useQuery(() => ({
    queryKey: agentListKey(workspaceId()),
    queryFn: () => trpc.agent.list.query({ workspaceId: workspaceId() }),
    enabled: workspaceId() !== '',
  }));
  const [overlay, setOverlay] = createStore<Record<string, LiveOverlay>>({});

  // A fresh list knows every status up to now; older live statuses must not hide it.
  createEffect(on(() => query.dataUpdatedAt, () => setOverlay(reconcile({})), { defer: true }));

  let refetching = false;
  const refetchForNewAgent = () => {
    if (refetching) return;
    refetching = true;
    void queryClient.invalidateQueries({ queryKey: agentListKey(workspaceId()) }).finally(() => (refetching = false));
  };

  live.onBatch((update) => {
    const known = new Set((query.data ?? []).map((a) => a.id));
    batch(() => {
      const latest = new Map<string, number>();
      for (const point of update.points) latest.set(point.agentId, Math.max(latest.get(point.agentId) ?? 0, point.ts));
      for (const [agentId, ts] of latest) {
        if (!known.has(agentId)) refetchForNewAgent();
        if (ts > (overlay[agentId]?.lastSeenMs ?? 0)) setOverlay(agentId, { lastSeenMs: ts });
      }
      for (const change of update.statuses) {
        if (!known.has(change.agentId)) refetchForNewAgent();
        setOverlay(change.agentId, { status: change.status, reason: change.reason });
      }
    });
  });

  const agents = createMemo<RosterAgent[]>(() =>
    [...(query.data ?? [])]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((agent, colorIndex) => {
        const over = overlay[agent.id];
        const listed = agent.lastSeenAt ? Date.parse(agent.lastSeenAt) : null;
        const lastSeenMs = Math.max(listed ?? 0, over?.lastSeenMs ?? 0) || null;
        return {
          ...agent,
          status: over?.status ?? agent.status,
          statusReason: over?.status ? (over.reason ?? null) : agent.statusReason,
          lastSeenMs,
          colorIndex,
        };
      }),
  );

  return {
    query,
    agents,
    byId: (agentId: string) => agents().find((a) => a.id === agentId),
    colorIndex: (agentId: string) => agents().find((a) => a.id === agentId)?.colorIndex ?? 0,
  };
}

export type AgentRoster = ReturnType<typeof createAgentRoster>;
