// The caller's role in the workspace that an id points at, in one query per kind of id.
// null when the thing does not exist or the caller is not a member: both answer NOT_FOUND.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Role } from '@tandem/schema';

export type Access = { workspaceId: string; role: Role } | null;

async function access(em: EntityManager, sql: string, params: unknown[]): Promise<Access> {
  const [row] = await em.execute<{ workspace_id: string; role: Role }[]>(sql, params);
  return row ? { workspaceId: row.workspace_id, role: row.role } : null;
}

export const accessToWorkspace = (em: EntityManager, workspaceId: string, userId: string) =>
  access(em, `select workspace_id, role from memberships where workspace_id = ? and user_id = ?`, [workspaceId, userId]);

export const accessViaConversation = (em: EntityManager, conversationId: string, userId: string) =>
  access(em, `select m.workspace_id, m.role from conversations c
              join memberships m on m.workspace_id = c.workspace_id and m.user_id = ?
              where c.id = ?`, [userId, conversationId]);

export const accessViaRun = (em: EntityManager, runId: string, userId: string) =>
  access(em, `select m.workspace_id, m.role from runs r
              join memberships m on m.workspace_id = r.workspace_id and m.user_id = ?
              where r.id = ?`, [userId, runId]);
