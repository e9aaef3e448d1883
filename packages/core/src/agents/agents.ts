// Agents of a workspace: listing, lookups scoped to the workspace, and admin edits of metadata.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Agent, AgentStatus, AgentStatusChange, UpdateAgentInput } from '@tandem/schema';
import { AppError } from '../errors.ts';
import { recordAudit } from '../audit/audit-log.ts';

/** Timestamps as epoch milliseconds: the driver hands timestamptz over as text. */
const epochMs = (column: string) => `(extract(epoch from ${column}) * 1000)::float8 as ${column}`;
const COLUMNS = `id, workspace_id, name, owner, model, version, tags, latency_threshold_ms, error_rate_threshold,
  down_after_ms, status, status_reason, ${['status_changed_at', 'last_seen_at', 'created_at'].map(epochMs).join(', ')}`;

interface AgentRow {
  id: string;
  workspace_id: string;
  name: string;
  owner: string | null;
  model: string | null;
  version: string | null;
  tags: string[];
  latency_threshold_ms: number | null;
  error_rate_threshold: number | null;
  down_after_ms: number;
  status: AgentStatus;
  status_reason: string | null;
  status_changed_at: number | null;
  last_seen_at: number | null;
  created_at: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toAgent(r: AgentRow): Agent {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    owner: r.owner,
    model: r.model,
    version: r.version,
    tags: r.tags,
    thresholds: { latencyMs: r.latency_threshold_ms, errorRate: r.error_rate_threshold, downAfterMs: r.down_after_ms },
    status: r.status,
    statusReason: r.status_reason,
    statusChangedAt: iso(r.status_changed_at),
    lastSeenAt: iso(r.last_seen_at),
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export async function listAgents(em: EntityManager, workspaceId: string): Promise<Agent[]> {
  const rows = await em.execute<AgentRow[]>(`select ${COLUMNS} from agents where workspace_id = ? order by name`, [workspaceId]);
  return rows.map(toAgent);
}

export interface AgentRef {
  id: string;
  name: string;
}

/**
 * The named agents of the workspace (all of them, by name, up to `limit`, when `ids` is omitted).
 * An id that is not an agent of this workspace is NOT_FOUND, whether it exists elsewhere or not.
 */
export async function agentsOfWorkspace(em: EntityManager, workspaceId: string, ids?: readonly string[], limit = 50): Promise<AgentRef[]> {
  if (!ids) return em.execute<AgentRef[]>(`select id, name from agents where workspace_id = ? order by name limit ?`, [workspaceId, limit]);
  const wanted = [...new Set(ids)];
  if (!wanted.length) return [];
  const rows = await em.execute<AgentRef[]>(
    `select id, name from agents where workspace_id = ? and id in (select jsonb_array_elements_text(?::jsonb)::uuid) order by name`,
    [workspaceId, JSON.stringify(wanted)],
  );
  if (rows.length !== wanted.length) throw new AppError('NOT_FOUND', 'Agent not found');
  return rows;
}

/** Current status of the workspace's agents (the named ones: NOT_FOUND if one is not an agent here). */
export async function agentStatuses(em: EntityManager, workspaceId: string, ids?: readonly string[]): Promise<AgentStatusChange[]> {
  const wanted = ids && [...new Set(ids)];
  const rows = await em.execute<{ id: string; status: AgentStatus; status_reason: string | null }[]>(
    `select id, status, status_reason from agents where workspace_id = ?
     ${wanted ? 'and id in (select jsonb_array_elements_text(?::jsonb)::uuid)' : ''} order by name`,
    wanted ? [workspaceId, JSON.stringify(wanted)] : [workspaceId],
  );
  if (wanted && rows.length !== wanted.length) throw new AppError('NOT_FOUND', 'Agent not found');
  return rows.map((r) => ({ agentId: r.id, status: r.status, reason: r.status_reason }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An agent of the workspace by id or by name (REST callers and the assistant use names). */
export async function findAgent(em: EntityManager, workspaceId: string, ref: string): Promise<AgentRef> {
  const [row] = UUID.test(ref)
    ? await em.execute<AgentRef[]>(`select id, name from agents where workspace_id = ? and (id = ? or name = ?)`, [workspaceId, ref, ref])
    : await em.execute<AgentRef[]>(`select id, name from agents where workspace_id = ? and name = ?`, [workspaceId, ref]);
  if (!row) throw new AppError('NOT_FOUND', `No agent "${ref}" in this workspace`);
  return row;
}

type Changes = Record<string, { from: unknown; to: unknown }>;

/**
 * Admin edit of an agent's metadata and thresholds. Only the fields named here can change
 * (name, status and workspace are not editable); the audit entry lists what did.
 */
export async function updateAgent(em: EntityManager, actorId: string, workspaceId: string, input: UpdateAgentInput): Promise<Agent> {
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<AgentRow[]>(`select ${COLUMNS} from agents where id = ? and workspace_id = ? for update`, [input.agentId, workspaceId]);
    if (!row) throw new AppError('NOT_FOUND', 'Agent not found');
    const next: Record<string, unknown> = {};
    const changes: Changes = {};
    const set = (column: string, label: string, from: unknown, to: unknown) => {
      if (to === undefined || JSON.stringify(from) === JSON.stringify(to)) return;
      next[column] = to;
      changes[label] = { from, to };
    };
    const text = (v: string | null | undefined) => (v === '' ? null : v);
    set('owner', 'owner', row.owner, text(input.owner));
    set('model', 'model', row.model, text(input.model));
    set('version', 'version', row.version, text(input.version));
    set('tags', 'tags', row.tags, input.tags && [...new Set(input.tags)]);
    const t = input.thresholds ?? {};
    set('latency_threshold_ms', 'thresholds.latencyMs', row.latency_threshold_ms, t.latencyMs);
    set('error_rate_threshold', 'thresholds.errorRate', row.error_rate_threshold, t.errorRate);
    set('down_after_ms', 'thresholds.downAfterMs', row.down_after_ms, t.downAfterMs);
    const columns = Object.keys(next);
    if (!columns.length) return toAgent(row);
    const [updated] = await tx.execute<AgentRow[]>(
      `update agents set ${columns.map((c) => (c === 'tags' ? `"tags" = ?::jsonb` : `"${c}" = ?`)).join(', ')}
       where id = ? returning ${COLUMNS}`,
      [...columns.map((c) => (c === 'tags' ? JSON.stringify(next[c]) : next[c])), row.id],
    );
    recordAudit(tx, { workspaceId, actorId, action: 'agent.update', targetId: row.id, data: { agent: row.name, changes } });
    return toAgent(updated!);
  });
}
