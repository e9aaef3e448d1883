// Invitations: the only way into someone else's workspace. A single-use link, 7 days, revocable;
// the database keeps a SHA-256 of its token, and the email on it is a label, never an account key.
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { InvitationPreview, Role, WorkspaceSummary } from '@tandem/schema';
import { AppError } from '../errors.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { TokenSigner } from '../auth/tokens.ts';

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
const TOKEN_PREFIX = 'tdi_';

/**
 * The link's token: derived from the signing key and the invitation's random id, so an admin can
 * copy a pending link again while a copy of the database alone reveals none.
 */
export const invitationToken = (tokens: TokenSigner, invitationId: string): string =>
  TOKEN_PREFIX + tokens.derive('invitation', invitationId).toString('base64url');

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface PendingInvitation {
  id: string;
  email: string;
  role: Role;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  token: string;
}

export async function createInvitation(
  em: EntityManager, tokens: TokenSigner,
  input: { workspaceId: string; actorId: string; email: string; role: Role },
): Promise<{ invitationId: string; token: string }> {
  const id = randomUUID();
  const token = invitationToken(tokens, id);
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  await em.transactional(async (tx) => {
    await tx.execute(
      `insert into invitations (id, workspace_id, email, role, token_hash, created_by_id, expires_at) values (?, ?, ?, ?, ?, ?, ?)`,
      [id, input.workspaceId, input.email, input.role, hashToken(token), input.actorId, expiresAt],
    );
    recordAudit(tx, { workspaceId: input.workspaceId, actorId: input.actorId, action: 'member.invite', targetId: id,
      data: { email: input.email, role: input.role, expiresAt: expiresAt.toISOString() } });
  });
  return { invitationId: id, token };
}

/** Pending invitations (not accepted, revoked or expired), newest first, with their links' tokens. */
export async function listInvitations(em: EntityManager, tokens: TokenSigner, workspaceId: string): Promise<PendingInvitation[]> {
  const rows = await em.execute<{ id: string; email: string; role: Role; invited_by: string | null; created_at: Date; expires_at: Date }[]>(
    `select i.id, i.email, i.role, u.name as invited_by, i.created_at, i.expires_at
       from invitations i left join users u on u.id = i.created_by_id
      where i.workspace_id = ? and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()
      order by i.created_at desc, i.id`, [workspaceId]);
  return rows.map((r) => ({
    id: r.id, email: r.email, role: r.role, invitedBy: r.invited_by ?? 'a former user',
    createdAt: new Date(r.created_at).toISOString(), expiresAt: new Date(r.expires_at).toISOString(),
    token: invitationToken(tokens, r.id),
  }));
}

/** Revokes a pending invitation of the workspace; one of another workspace, or used, is NOT_FOUND. */
export async function revokeInvitation(
  em: EntityManager, input: { workspaceId: string; invitationId: string; actorId: string },
): Promise<void> {
  await em.transactional(async (tx) => {
    const rows = await tx.execute<{ email: string; role: Role }[]>(
      `update invitations set revoked_at = now()
        where id = ? and workspace_id = ? and accepted_at is null and revoked_at is null
        returning email, role`, [input.invitationId, input.workspaceId]);
    if (!rows[0]) throw new AppError('NOT_FOUND', 'No such pending invitation');
    recordAudit(tx, { workspaceId: input.workspaceId, actorId: input.actorId, action: 'member.revokeInvite', targetId: input.invitationId, data: { ...rows[0] } });
  });
}

interface InvitationRow {
  id: string;
  workspace_id: string;
  workspace_name: string;
  email: string;
  role: Role;
  invited_by: string | null;
  expires_at: Date;
  expired: boolean;
  accepted_at: Date | null;
  accepted_by_id: string | null;
  revoked_at: Date | null;
}

/** The invitation a token opens, in any state; `lock` holds it for the accepting transaction. */
async function findByToken(em: EntityManager, token: string, lock: boolean): Promise<InvitationRow> {
  const [row] = await em.execute<InvitationRow[]>(
    `select i.id, i.workspace_id, w.name as workspace_name, i.email, i.role, u.name as invited_by, i.expires_at,
            i.expires_at <= now() as expired, i.accepted_at, i.accepted_by_id, i.revoked_at
       from invitations i join workspaces w on w.id = i.workspace_id left join users u on u.id = i.created_by_id
      where i.token_hash = ?${lock ? ' for update of i' : ''}`, [hashToken(token)]);
  if (!row) throw new AppError('NOT_FOUND', 'This invitation link is not valid');
  return row;
}

/** Why a found invitation can no longer be used, or null while it can. */
function unusable(row: InvitationRow): AppError | null {
  if (row.revoked_at) return new AppError('NOT_FOUND', 'This invitation was revoked; ask for a new link');
  if (row.accepted_at) return new AppError('NOT_FOUND', 'This invitation has already been used; ask for a new link');
  if (row.expired) return new AppError('NOT_FOUND', 'This invitation has expired; ask for a new link');
  return null;
}

const roleOf = async (em: EntityManager, workspaceId: string, userId: string): Promise<Role | null> =>
  (await em.execute<{ role: Role }[]>(`select role from memberships where workspace_id = ? and user_id = ?`, [workspaceId, userId]))[0]?.role ?? null;

/** What the holder of a link is invited to, before accepting. */
export async function previewInvitation(em: EntityManager, token: string, userId: string): Promise<InvitationPreview> {
  const row = await findByToken(em, token, false);
  const refusal = unusable(row);
  if (refusal) throw refusal;
  return {
    workspaceId: row.workspace_id, workspaceName: row.workspace_name, role: row.role,
    invitedBy: row.invited_by ?? 'a former user', expiresAt: new Date(row.expires_at).toISOString(),
    alreadyMember: (await roleOf(em, row.workspace_id, userId)) !== null,
  };
}

/**
 * Makes the caller a member with the invitation's role and uses the invitation up, in one
 * transaction (the row is locked: two accepts of one link cannot both join). Accepting again the
 * link one has accepted answers the workspace; a member of the workspace leaves the link unused.
 */
export async function acceptInvitation(em: EntityManager, token: string, userId: string): Promise<WorkspaceSummary> {
  return em.transactional(async (tx) => {
    const row = await findByToken(tx, token, true);
    const summary: WorkspaceSummary = { id: row.workspace_id, name: row.workspace_name, role: row.role };
    const current = await roleOf(tx, row.workspace_id, userId);
    // A second click by the one who accepted answers the workspace as it is now.
    if (row.accepted_by_id === userId && current) return { ...summary, role: current };
    const refusal = unusable(row);
    if (refusal) throw refusal;
    if (current) throw new AppError('CONFLICT', 'You are already a member of this workspace');
    await tx.execute(`insert into memberships (id, workspace_id, user_id, role, created_at) values (?, ?, ?, ?, now())`,
      [randomUUID(), row.workspace_id, userId, row.role]);
    await tx.execute(`update invitations set accepted_at = now(), accepted_by_id = ? where id = ?`, [userId, row.id]);
    recordAudit(tx, { workspaceId: row.workspace_id, actorId: userId, action: 'member.join', targetId: userId, data: { invitationId: row.id, role: row.role, invitedAs: row.email } });
    return summary;
  });
}
