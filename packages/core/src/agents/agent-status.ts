// Agent status (ok / degraded / down) from recent samples, recomputed by the agents.status job;
// a change is persisted first, then announced on `agents:<workspaceId>`.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AgentStatus, AgentStatusChange, AgentThresholds } from '@tandem/schema';
import type { Bus } from '../bus/bus.ts';

/** Status changes of a workspace's agents (AgentStatusChange), for metrics.live. */
export const agentsChannel = (workspaceId: string) => `agents:${workspaceId}`;

/** Latency and error rate are judged over this trailing window. */
export const STATUS_WINDOW_MS = 5 * 60_000;

export interface AgentHealth {
  /** Newest sample time not in the future (null: never seen). */
  lastSeenAt: Date | null;
  /** Over the status window; null without latency samples. */
  p95LatencyMs: number | null;
  requests: number;
  errors: number;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const [unit, size, sub, subSize] = s < 3600 ? ['m', 60, 's', 1] : s < 86_400 ? ['h', 3600, 'm', 60] : ['d', 86_400, 'h', 3600];
  const whole = Math.floor(s / size);
  const rest = Math.floor((s - whole * size) / subSize);
  return rest ? `${whole}${unit} ${rest}${sub}` : `${whole}${unit}`;
}

const percent = (x: number) => `${+(x * 100).toFixed(2)}%`;

/** Reasons name the threshold crossed, not the current value, so they change only when the cause does. */
export function decideStatus(h: AgentHealth, t: AgentThresholds, now: Date): { status: AgentStatus; reason: string | null } {
  if (!h.lastSeenAt) return { status: 'down', reason: 'no samples yet' };
  if (now.getTime() - h.lastSeenAt.getTime() > t.downAfterMs)
    return { status: 'down', reason: `no samples for over ${formatDuration(t.downAfterMs)}` };
  const window = formatDuration(STATUS_WINDOW_MS);
  const causes: string[] = [];
  if (t.latencyMs !== null && h.p95LatencyMs !== null && h.p95LatencyMs > t.latencyMs)
    causes.push(`p95 latency above ${t.latencyMs} ms over the last ${window}`);
  if (t.errorRate !== null && h.requests > 0 && h.errors / h.requests > t.errorRate)
    causes.push(`error rate above ${percent(t.errorRate)} over the last ${window}`);
  return causes.length ? { status: 'degraded', reason: causes.join('; ') } : { status: 'ok', reason: null };
}

interface HealthRow {
  id: string;
  workspace_id: string;
  status: AgentStatus;
  status_reason: string | null;
  /** Epoch milliseconds (the driver hands timestamptz over as text). */
  last_seen_at: number | null;
  newest: number | null;
  down_after_ms: number;
  latency_threshold_ms: number | null;
  error_rate_threshold: number | null;
  p95: number | null;
  requests: number | null;
  errors: number | null;
}

/**
 * Recomputes every agent's status at `now`, keeps `last_seen_at` at the newest sample, persists
 * changes and announces each on the bus. Safe to run concurrently: a change is written only if
 * the row still holds the status it was computed from, and only the writer announces it.
 */
export async function refreshAgentStatuses(em: EntityManager, bus: Bus, now = new Date()): Promise<{ agents: number; changes: AgentStatusChange[] }> {
  const at = now.toISOString();
  const rows = await em.execute<HealthRow[]>(
    `select a.id, a.workspace_id, a.status, a.status_reason, (extract(epoch from a.last_seen_at) * 1000)::float8 as last_seen_at,
            (extract(epoch from seen.newest) * 1000)::float8 as newest, a.down_after_ms,
            a.latency_threshold_ms, a.error_rate_threshold, w.p95, w.requests, w.errors
       from agents a
       left join lateral (
         select max(s.ts) as newest from metric_samples s
          where s.agent_id = a.id and s.ts > coalesce(a.last_seen_at, '-infinity') and s.ts <= ?::timestamptz
       ) seen on true
       left join lateral (
         select percentile_cont(0.95) within group (order by s.latency_ms) as p95,
                sum(s.requests)::float8 as requests, sum(s.errors)::float8 as errors
           from metric_samples s
          where s.agent_id = a.id and s.ts > ?::timestamptz and s.ts <= ?::timestamptz
       ) w on true`,
    [at, new Date(now.getTime() - STATUS_WINDOW_MS).toISOString(), at],
  );

  const seen = rows.filter((r) => r.newest && (!r.last_seen_at || r.newest > r.last_seen_at));
  if (seen.length)
    await em.execute(
      `update agents a set last_seen_at = v.ts
         from jsonb_to_recordset(?::jsonb) as v(id uuid, ts timestamptz)
        where a.id = v.id and (a.last_seen_at is null or a.last_seen_at < v.ts)`,
      [JSON.stringify(seen.map((r) => ({ id: r.id, ts: new Date(r.newest!).toISOString() })))],
    );

  const changes: AgentStatusChange[] = [];
  for (const r of rows) {
    const lastSeen = Math.max(r.newest ?? -Infinity, r.last_seen_at ?? -Infinity);
    const next = decideStatus(
      { lastSeenAt: Number.isFinite(lastSeen) ? new Date(lastSeen) : null, p95LatencyMs: r.p95, requests: r.requests ?? 0, errors: r.errors ?? 0 },
      { latencyMs: r.latency_threshold_ms, errorRate: r.error_rate_threshold, downAfterMs: r.down_after_ms },
      now,
    );
    if (next.status === r.status && next.reason === r.status_reason) continue;
    const written = await em.execute<{ id: string }[]>(
      `update agents set status = ?, status_reason = ?,
              status_changed_at = case when status = ? then status_changed_at else ?::timestamptz end
        where id = ? and status = ? and status_reason is not distinct from ?
       returning id`,
      [next.status, next.reason, next.status, at, r.id, r.status, r.status_reason],
    );
    if (!written.length) continue; // another run got there first and announced it
    const change: AgentStatusChange = { agentId: r.id, ...next };
    changes.push(change);
    await bus.publish(agentsChannel(r.workspace_id), change).catch(() => undefined); // at-most-once; agent.list is the record
  }
  return { agents: rows.length, changes };
}
