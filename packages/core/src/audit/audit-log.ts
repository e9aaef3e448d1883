// Writing and reading the audit log (insert-only; newest first, keyset pagination on id).
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditLog } from '../entities/audit-log.ts';
import { User } from '../entities/user.ts';

export interface AuditEntry {
  workspaceId: string;
  actorId: string | null;
  action: string;
  targetId?: string | null;
  data?: Record<string, unknown>;
}

/** Queues an audit row in the caller's unit of work, so it commits with the change it records. */
export function recordAudit(em: EntityManager, entry: AuditEntry): void {
  em.create(AuditLog, {
    workspaceId: entry.workspaceId,
    actorId: entry.actorId,
    action: entry.action,
    targetId: entry.targetId ?? null,
    data: entry.data ?? {},
  });
}

export interface AuditFilter {
  actorId?: string;
  /** An action name or its prefix (`member.` matches every member action). */
  action?: string;
  targetId?: string;
  /** Epoch milliseconds, from inclusive, to exclusive. */
  from?: number;
  to?: number;
}

export async function listAudit(em: EntityManager, workspaceId: string, cursor: string | undefined, limit: number, filter: AuditFilter = {}) {
  const where: Record<string, unknown> = { workspaceId };
  if (cursor && /^\d+$/.test(cursor)) where.id = { $lt: cursor };
  if (filter.actorId) where.actorId = filter.actorId;
  if (filter.targetId) where.targetId = filter.targetId;
  if (filter.action) where.action = { $like: `${filter.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%` };
  if (filter.from !== undefined || filter.to !== undefined)
    where.createdAt = { ...(filter.from !== undefined ? { $gte: new Date(filter.from) } : {}), ...(filter.to !== undefined ? { $lt: new Date(filter.to) } : {}) };
  const rows = await em.find(AuditLog, where, { orderBy: { id: 'desc' }, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const actorIds = [...new Set(page.map((r) => r.actorId).filter((id): id is string => !!id))];
  const actors = actorIds.length ? await em.find(User, { id: { $in: actorIds } }) : [];
  const names = new Map(actors.map((a) => [a.id, a.name]));
  return {
    items: page.map((r) => ({
      id: r.id,
      action: r.action,
      actor: r.actorId ? { id: r.actorId, name: names.get(r.actorId) ?? 'deleted user' } : null,
      targetId: r.targetId ?? null,
      data: r.data,
      createdAt: r.createdAt.toISOString(),
    })),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}
