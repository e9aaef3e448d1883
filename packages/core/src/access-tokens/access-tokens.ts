// Personal access tokens: made by a member for themselves in one workspace, shown once, stored
// as a SHA-256 of the whole token, revocable; each use acts with the user's role at that moment.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AccessToken, Role } from '@tandem/schema';
import { AppError } from '../errors.ts';
import { recordAudit } from '../audit/audit-log.ts';

const TOKEN_PREFIX = 'tdp_';
/** What lists show of a token: its type prefix and the first 8 random characters. */
const DISPLAY_LENGTH = TOKEN_PREFIX.length + 8;
/** `tdp_` + 32 random bytes in base64url (43 characters). */
const TOKEN_SHAPE = /^tdp_[A-Za-z0-9_-]{43}$/;
/** Active (unrevoked) tokens one person may hold in one workspace. */
export const MAX_ACCESS_TOKENS = 20;
/** last_used_at is written at most this often per token. */
const TOUCH_EVERY_SECONDS = 60;

export interface TokenOwner {
  workspaceId: string;
  userId: string;
}

export const hashAccessToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function createAccessToken(em: EntityManager, owner: TokenOwner & { label: string }): Promise<{ id: string; token: string }> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  const prefix = token.slice(0, DISPLAY_LENGTH);
  await em.transactional(async (tx) => {
    await tx.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`access-tokens:${owner.workspaceId}:${owner.userId}`]);
    const [{ n }] = (await tx.execute<{ n: number }[]>(
      `select count(*)::int as n from access_tokens where workspace_id = ? and user_id = ? and revoked_at is null`,
      [owner.workspaceId, owner.userId])) as [{ n: number }];
    if (n >= MAX_ACCESS_TOKENS) throw new AppError('CONFLICT', `You have ${MAX_ACCESS_TOKENS} active tokens in this workspace; revoke one first`);
    await tx.execute(
      `insert into access_tokens (id, workspace_id, user_id, label, prefix, token_hash) values (?, ?, ?, ?, ?, ?)`,
      [id, owner.workspaceId, owner.userId, owner.label, prefix, hashAccessToken(token)]);
    recordAudit(tx, { workspaceId: owner.workspaceId, actorId: owner.userId, action: 'accessToken.create', targetId: id, data: { label: owner.label, prefix } });
  });
  return { id, token };
}

interface TokenRow {
  id: string;
  label: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, label, prefix, created_at, last_used_at, revoked_at';
const toDto = (r: TokenRow): AccessToken => ({
  id: r.id,
  label: r.label,
  prefix: r.prefix,
  createdAt: new Date(r.created_at).toISOString(),
  lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
  revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
});

/** The caller's own tokens in the workspace, newest first (never another member's). */
export async function listAccessTokens(em: EntityManager, owner: TokenOwner): Promise<AccessToken[]> {
  const rows = await em.execute<TokenRow[]>(
    `select ${COLUMNS} from access_tokens where workspace_id = ? and user_id = ? order by created_at desc, id`,
    [owner.workspaceId, owner.userId]);
  return rows.map(toDto);
}

/** Revokes one of the caller's tokens (another's is NOT_FOUND). Idempotent, audited once. */
export async function revokeAccessToken(em: EntityManager, owner: TokenOwner & { tokenId: string }): Promise<AccessToken> {
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<TokenRow[]>(
      `select ${COLUMNS} from access_tokens where id = ? and workspace_id = ? and user_id = ? for update`,
      [owner.tokenId, owner.workspaceId, owner.userId]);
    if (!row) throw new AppError('NOT_FOUND', 'No such access token');
    if (row.revoked_at) return toDto(row);
    const [revoked] = await tx.execute<TokenRow[]>(`update access_tokens set revoked_at = now() where id = ? returning ${COLUMNS}`, [owner.tokenId]);
    recordAudit(tx, { workspaceId: owner.workspaceId, actorId: owner.userId, action: 'accessToken.revoke', targetId: owner.tokenId, data: { label: row.label, prefix: row.prefix } });
    return toDto(revoked!);
  });
}

export interface TokenIdentity extends TokenOwner {
  tokenId: string;
  /** The user's role now: a demotion or removal takes effect on the token's next use. */
  role: Role;
}

/**
 * Who a token acts as, or null for a malformed, unknown or revoked token or one whose user is no
 * longer a member. Records last use at most once a minute per token.
 */
export async function resolveAccessToken(em: EntityManager, token: string): Promise<TokenIdentity | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const [row] = await em.execute<{ id: string; workspace_id: string; user_id: string; role: Role; stale: boolean }[]>(
    `select t.id, t.workspace_id, t.user_id, m.role,
            (t.last_used_at is null or t.last_used_at < now() - make_interval(secs => ?)) as stale
       from access_tokens t join memberships m on m.workspace_id = t.workspace_id and m.user_id = t.user_id
      where t.token_hash = ? and t.revoked_at is null`,
    [TOUCH_EVERY_SECONDS, hashAccessToken(token)]);
  if (!row) return null;
  if (row.stale) await em.execute(`update access_tokens set last_used_at = now() where id = ?`, [row.id]);
  return { tokenId: row.id, workspaceId: row.workspace_id, userId: row.user_id, role: row.role };
}
