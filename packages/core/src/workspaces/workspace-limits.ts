// How many alert rules, agents and ingest keys one workspace may have (WORKSPACE_MAX_*): checked
// under a per-workspace lock in the transaction that adds one, so concurrent adds cannot overshoot.
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../errors.ts';

/** The lock that serialises adds of one kind in one workspace (held to the end of the transaction). */
export const workspaceLimitLock = (kind: string, workspaceId: string) => `limit:${kind}:${workspaceId}`;

const COUNTS = {
  'alert rules': { sql: `select count(*) as n from alert_rules where workspace_id = ? and deleted_at is null`, variable: 'WORKSPACE_MAX_ALERT_RULES', remedy: 'delete one first' },
  'ingest keys': { sql: `select count(*) as n from ingest_keys where workspace_id = ? and revoked_at is null`, variable: 'WORKSPACE_MAX_INGEST_KEYS', remedy: 'revoke one first' },
} as const;

/** In the caller's transaction: CONFLICT when the workspace already has `limit` of `kind`. */
export async function assertRoomInWorkspace(tx: EntityManager, workspaceId: string, kind: keyof typeof COUNTS, limit: number): Promise<void> {
  await tx.execute(`select pg_advisory_xact_lock(hashtext(?))`, [workspaceLimitLock(kind, workspaceId)]);
  const [row] = await tx.execute<{ n: string | number }[]>(COUNTS[kind].sql, [workspaceId]);
  if (Number(row?.n ?? 0) >= limit)
    throw new AppError('CONFLICT', `This workspace has ${limit} ${kind}, the most it may have (${COUNTS[kind].variable}); ${COUNTS[kind].remedy}`);
}
