// Retention sweeps: idle conversations archived, then purged with their messages, events and runs
// after the grace period. Works in bounded batches; the audit log is never touched.
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit } from '../audit/audit-log.ts';
import { AuditLog } from '../entities/audit-log.ts';
import { deleteConversationRows } from '../conversations/delete.ts';

const DAY_MS = 86_400_000;
/** Ids per transaction: each batch holds its row locks for a few milliseconds, never the whole sweep. */
export const RETENTION_BATCH = 500;

export interface RetentionOptions {
  /** The sweep's clock (injected: tests move it forward instead of waiting). */
  now: Date;
  defaultDays: number;
  graceDays: number;
  /** Only this workspace (retention.run); else every workspace. */
  workspaceId?: string;
  /** Who asked (retention.run); null for the daily job. */
  actorId?: string | null;
  batchSize?: number;
  /** Called after each committed batch (tests count transactions and their sizes). */
  onBatch?: (batch: { step: 'archive' | 'purge'; size: number }) => void;
}

export interface RetentionReport {
  workspaceId: string;
  conversationDays: number;
  graceDays: number;
  archived: number;
  purged: number;
  at: string;
  trigger: 'schedule' | 'manual';
}

/** Sweeps each workspace in turn; writes one audit entry per workspace swept, with its counts. */
export async function sweepRetention(em: EntityManager, opts: RetentionOptions): Promise<RetentionReport[]> {
  const workspaces = await em.execute<{ id: string; days: number | null }[]>(
    `select id, conversation_retention_days as days from workspaces ${opts.workspaceId ? 'where id = ?' : ''} order by id`,
    opts.workspaceId ? [opts.workspaceId] : [],
  );
  const reports: RetentionReport[] = [];
  for (const w of workspaces) reports.push(await sweepWorkspace(em, w.id, w.days ?? opts.defaultDays, opts));
  return reports;
}

async function sweepWorkspace(em: EntityManager, workspaceId: string, days: number, opts: RetentionOptions): Promise<RetentionReport> {
  const size = opts.batchSize ?? RETENTION_BATCH;
  const idleBefore = new Date(opts.now.getTime() - days * DAY_MS);
  const archivedBefore = new Date(opts.now.getTime() - opts.graceDays * DAY_MS);
  // Purge first, so a conversation archived by this sweep is never purged by it (grace 0 included).
  let purged = 0;
  for (;;) {
    const n = await em.transactional((tx) => purgeBatch(tx, workspaceId, archivedBefore, size));
    if (!n) break;
    purged += n;
    opts.onBatch?.({ step: 'purge', size: n });
  }
  let archived = 0;
  for (;;) {
    const n = await em.transactional((tx) => archiveBatch(tx, workspaceId, idleBefore, opts.now, size));
    if (!n) break;
    archived += n;
    opts.onBatch?.({ step: 'archive', size: n });
  }
  const report: RetentionReport = {
    workspaceId, conversationDays: days, graceDays: opts.graceDays, archived, purged,
    at: opts.now.toISOString(), trigger: opts.actorId ? 'manual' : 'schedule',
  };
  const { workspaceId: _w, ...data } = report;
  recordAudit(em, { workspaceId, actorId: opts.actorId ?? null, action: 'retention.sweep', targetId: workspaceId, data });
  await em.flush();
  return report;
}

/**
 * Archives up to `size` idle conversations. The update checks idleness again under the row lock:
 * a question posted since the select moved last_activity_at, and that conversation stays.
 */
async function archiveBatch(tx: EntityManager, workspaceId: string, idleBefore: Date, now: Date, size: number): Promise<number> {
  const rows = await tx.execute<{ id: string }[]>(
    `update conversations set retention_archived_at = ?, archived_at = coalesce(archived_at, ?)
      where id in (select id from conversations where workspace_id = ? and retention_archived_at is null and last_activity_at < ?
                   order by last_activity_at limit ? for update skip locked)
        and last_activity_at < ?
      returning id`,
    [now, now, workspaceId, idleBefore, size, idleBefore],
  );
  return rows.length;
}

/** Deletes up to `size` conversations archived before `archivedBefore`, with what hangs off them. */
async function purgeBatch(tx: EntityManager, workspaceId: string, archivedBefore: Date, size: number): Promise<number> {
  const ids = (await tx.execute<{ id: string }[]>(
    `select id from conversations where workspace_id = ? and retention_archived_at < ?
      order by retention_archived_at limit ? for update skip locked`,
    [workspaceId, archivedBefore, size],
  )).map((r) => r.id);
  if (!ids.length) return 0;
  await deleteConversationRows(tx, ids);
  return ids.length;
}

/** The workspace's last sweep (from its audit entry), its setting and what awaits purging. */
export async function retentionReport(em: EntityManager, workspaceId: string, defaults: { defaultDays: number; graceDays: number }) {
  const [ws] = await em.execute<{ days: number | null }[]>(`select conversation_retention_days as days from workspaces where id = ?`, [workspaceId]);
  const last = await em.findOne(AuditLog, { workspaceId, action: 'retention.sweep' }, { orderBy: { id: 'desc' } });
  const pending = await em.execute<{ id: string; title: string; retention_archived_at: Date }[]>(
    `select id, title, retention_archived_at from conversations where workspace_id = ? and retention_archived_at is not null
      order by retention_archived_at, id limit 100`,
    [workspaceId],
  );
  return {
    conversationDays: ws?.days ?? defaults.defaultDays,
    workspaceDays: ws?.days ?? null,
    defaultDays: defaults.defaultDays,
    graceDays: defaults.graceDays,
    lastReport: last ? { ...(last.data as Omit<RetentionReport, 'workspaceId'>), actorId: last.actorId ?? null } : null,
    archived: pending.map((c) => ({
      id: c.id,
      title: c.title,
      archivedAt: new Date(c.retention_archived_at).toISOString(),
      purgeAt: new Date(new Date(c.retention_archived_at).getTime() + defaults.graceDays * DAY_MS).toISOString(),
    })),
  };
}

/** retention.set: the workspace's own period (null: back to the deployment's default); audited. */
export async function setConversationRetention(em: EntityManager, workspaceId: string, actorId: string, days: number | null): Promise<void> {
  await em.transactional(async (tx) => {
    const [before] = await tx.execute<{ days: number | null }[]>(
      `select conversation_retention_days as days from workspaces where id = ? for update`, [workspaceId]);
    await tx.execute(`update workspaces set conversation_retention_days = ? where id = ?`, [days, workspaceId]);
    recordAudit(tx, { workspaceId, actorId, action: 'retention.set', targetId: workspaceId, data: { from: before?.days ?? null, to: days } });
  });
}
