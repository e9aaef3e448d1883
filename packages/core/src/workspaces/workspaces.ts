// Workspaces, memberships and roles. Every lookup is scoped: what is not yours is NOT_FOUND.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MemberDto, Role, WorkspaceSummary } from '@tandem/schema';
import { Membership, Workspace, type IMembership } from '../entities/workspace.ts';
import { User } from '../entities/user.ts';
import { AppError } from '../errors.ts';
import { recordAudit } from '../audit/audit-log.ts';

export async function createWorkspace(em: EntityManager, userId: string, name: string): Promise<WorkspaceSummary> {
  return em.transactional(async (tx) => {
    const workspace = tx.create(Workspace, { id: randomUUID(), name });
    tx.create(Membership, { workspace, user: tx.getReference(User, userId), role: 'admin' });
    recordAudit(tx, { workspaceId: workspace.id, actorId: userId, action: 'workspace.create', targetId: workspace.id, data: { name } });
    return { id: workspace.id, name, role: 'admin' as const };
  });
}

export async function listWorkspacesOf(em: EntityManager, userId: string): Promise<WorkspaceSummary[]> {
  const rows = await em.find(Membership, { user: userId }, { populate: ['workspace'], orderBy: { createdAt: 'asc' } });
  return rows.map((m) => ({ id: m.workspace.id, name: m.workspace.getEntity().name, role: m.role }));
}

/** The caller's role in a workspace, or null if they are not a member (callers turn that into NOT_FOUND). */
export async function roleIn(em: EntityManager, workspaceId: string, userId: string): Promise<Role | null> {
  const m = await em.findOne(Membership, { workspace: workspaceId, user: userId }, { fields: ['role'] });
  return m?.role ?? null;
}

function toMember(m: IMembership): MemberDto {
  const user = m.user.getEntity();
  return { userId: user.id, email: user.email, name: user.name, role: m.role, joinedAt: m.createdAt.toISOString() };
}

export async function listMembers(em: EntityManager, workspaceId: string): Promise<MemberDto[]> {
  const rows = await em.find(Membership, { workspace: workspaceId }, { populate: ['user'], orderBy: { createdAt: 'asc' } });
  return rows.map(toMember);
}

/** Locks the workspace's admin rows so two concurrent demotions cannot remove the last admin. */
async function assertAnotherAdminRemains(tx: EntityManager, workspaceId: string, userId: string): Promise<void> {
  const admins = await tx.execute<{ user_id: string }[]>(
    `select user_id from memberships where workspace_id = ? and role = 'admin' for update`,
    [workspaceId],
  );
  if (!admins.some((a) => a.user_id !== userId))
    throw new AppError('CONFLICT', 'A workspace must keep at least one admin');
}

async function findMembership(tx: EntityManager, workspaceId: string, userId: string) {
  const m = await tx.findOne(Membership, { workspace: workspaceId, user: userId }, { populate: ['user'] });
  if (!m) throw new AppError('NOT_FOUND', 'No such member');
  return m;
}

export async function setRole(
  em: EntityManager, actorId: string, workspaceId: string, userId: string, role: Role,
): Promise<MemberDto> {
  return em.transactional(async (tx) => {
    const m = await findMembership(tx, workspaceId, userId);
    if (m.role === 'admin' && role !== 'admin') await assertAnotherAdminRemains(tx, workspaceId, userId);
    const from = m.role;
    m.role = role;
    recordAudit(tx, { workspaceId, actorId, action: 'member.setRole', targetId: userId, data: { from, to: role } });
    return toMember(m);
  });
}

export async function removeMember(em: EntityManager, actorId: string, workspaceId: string, userId: string): Promise<void> {
  await em.transactional(async (tx) => {
    const m = await findMembership(tx, workspaceId, userId);
    if (m.role === 'admin') await assertAnotherAdminRemains(tx, workspaceId, userId);
    recordAudit(tx, { workspaceId, actorId, action: 'member.remove', targetId: userId, data: { email: m.user.getEntity().email, role: m.role } });
    tx.remove(m);
  });
}
