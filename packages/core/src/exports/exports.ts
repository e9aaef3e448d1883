// Export rows: create (and enqueue), list, get, cancel, retry, fail, expire; each change is
// announced on the workspace's export channel.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { ExportFormat, ExportKind, ExportView } from '@tandem/schema';
import { AppError } from '../errors.ts';
import { ExportEntity, type IExport } from '../entities/export.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Bus } from '../bus/bus.ts';
import type { Queues } from '../queue/queues.ts';
import type { ExportLinks } from './links.ts';
import { removeExportFiles } from './files.ts';
import { queueExportWebhook } from '../export-schedules/webhook.ts';

export interface ExportDeps {
  em: EntityManager;
  queues: Queues;
  bus: Bus;
  log?: Logger;
}

export interface CreateExportInput {
  workspaceId: string;
  kind: ExportKind;
  format: ExportFormat;
  from?: number | null;
  to?: number | null;
  agentIds?: string[];
  gzip?: boolean;
  /** Null for a scheduled run. */
  requestedBy?: string | null;
  scheduleId?: string | null;
}

/** The bus channel of a workspace's export changes; messages are `{ exportId }`. */
export const exportChannel = (workspaceId: string) => `exports:${workspaceId}`;
export const exportJobId = (exportId: string) => `export-${exportId}`;

export const announceExport = (bus: Bus, workspaceId: string, exportId: string) =>
  bus.publish(exportChannel(workspaceId), { exportId });

const ACTIVE = ['queued', 'running'] as const;

/** Creates the export row and enqueues its job; the row is returned as stored. */
export async function createExport(deps: ExportDeps, input: CreateExportInput): Promise<IExport> {
  const { em } = deps;
  const row = em.create(ExportEntity, {
    workspaceId: input.workspaceId,
    requestedBy: input.requestedBy ?? null,
    scheduleId: input.scheduleId ?? null,
    kind: input.kind,
    format: input.format,
    gzip: input.gzip ?? false,
    rangeFrom: input.from == null ? null : new Date(input.from),
    rangeTo: input.to == null ? null : new Date(input.to),
    agentIds: input.kind === 'metrics' ? [...new Set(input.agentIds ?? [])] : [],
  });
  recordAudit(em, {
    workspaceId: input.workspaceId, actorId: input.requestedBy ?? null, action: 'export.created', targetId: row.id,
    data: { kind: input.kind, format: input.format, gzip: row.gzip, from: input.from ?? null, to: input.to ?? null, scheduleId: input.scheduleId ?? null },
  });
  await em.flush();
  await enqueue(deps, row);
  return row;
}

/** Enqueues (or re-runs) the row's job; an unavailable queue fails the export with that reason. */
async function enqueue(deps: ExportDeps, row: IExport): Promise<void> {
  try {
    await deps.queues.ensureJob('export.run', { exportId: row.id }, exportJobId(row.id));
  } catch (err) {
    await failExport(deps, row.id, 'The job queue was unavailable; retry the export');
    throw err;
  }
  await announceExport(deps.bus, row.workspaceId, row.id);
}

export async function getExport(em: EntityManager, workspaceId: string, exportId: string): Promise<IExport> {
  const row = await em.findOne(ExportEntity, { id: exportId, workspaceId });
  if (!row) throw new AppError('NOT_FOUND', 'Export not found');
  return row;
}

/** Newest first; `cursor` is the last export id of the previous page. */
export async function listExports(em: EntityManager, workspaceId: string, opts: { cursor?: string; limit?: number } = {}): Promise<IExport[]> {
  const limit = opts.limit ?? 50;
  const after = opts.cursor ? await em.findOne(ExportEntity, { id: opts.cursor, workspaceId }) : null;
  const where = after
    ? { workspaceId, $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }] }
    : { workspaceId };
  return em.find(ExportEntity, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit });
}

/** Stops a queued or running export: the worker notices at its next progress write and removes its partial file. */
export async function cancelExport(deps: ExportDeps & { dataDir: string }, workspaceId: string, exportId: string, actorId: string | null): Promise<IExport> {
  const { em } = deps;
  const row = await getExport(em, workspaceId, exportId);
  const changed = await em.nativeUpdate(ExportEntity, { id: row.id, status: { $in: [...ACTIVE] } }, { status: 'cancelled', finishedAt: new Date() });
  if (!changed) throw new AppError('CONFLICT', `The export is ${row.status}; only queued or running exports can be cancelled`);
  recordAudit(em, { workspaceId, actorId, action: 'export.cancelled', targetId: row.id });
  await em.flush();
  // A waiting job is removed; an active one finds its export cancelled and stops.
  await deps.queues.withQueue('exports', (q) => q.remove(exportJobId(row.id))).catch(() => undefined);
  await removeExportFiles(deps.dataDir, row.id).catch(() => undefined);
  await announceExport(deps.bus, workspaceId, row.id);
  return em.refreshOrFail(row);
}

/** Runs a failed or cancelled export again, from the start. */
export async function retryExport(deps: ExportDeps, workspaceId: string, exportId: string, actorId: string | null): Promise<IExport> {
  const { em } = deps;
  const row = await getExport(em, workspaceId, exportId);
  const changed = await em.nativeUpdate(
    ExportEntity,
    { id: row.id, status: { $in: ['failed', 'cancelled'] } },
    // A new run: its outcome gets a webhook delivery of its own (a scheduled run's), the last one's state goes.
    { status: 'queued', error: null, rows: 0, bytes: 0, totalRows: null, startedAt: null, finishedAt: null, fileName: null, webhookState: null, webhookAttempts: 0, webhookError: null, webhookDeliveredAt: null },
  );
  if (!changed) throw new AppError('CONFLICT', `The export is ${row.status}; only failed or cancelled exports can be retried`);
  recordAudit(em, { workspaceId, actorId, action: 'export.retried', targetId: row.id });
  await em.flush();
  await enqueue(deps, row);
  return em.refreshOrFail(row);
}

/**
 * Marks a queued or running export failed with its reason (kept for the user; retry runs it again).
 * Given `queues`, a scheduled run's failure goes to its schedule's webhook (export-schedules/webhook.ts).
 */
export async function failExport(deps: Pick<ExportDeps, 'em' | 'bus' | 'log'> & { queues?: Queues }, exportId: string, reason: string): Promise<boolean> {
  const row = await deps.em.findOne(ExportEntity, { id: exportId });
  if (!row) return false;
  const changed = await deps.em.nativeUpdate(
    ExportEntity,
    { id: exportId, status: { $in: [...ACTIVE] } },
    { status: 'failed', error: reason.slice(0, 500), finishedAt: new Date() },
  );
  if (changed) await announceExport(deps.bus, row.workspaceId, exportId);
  if (changed && row.scheduleId && deps.queues) await queueExportWebhook({ em: deps.em, queues: deps.queues, log: deps.log }, exportId);
  return changed > 0;
}

/** Removes the files of exports completed more than `days` ago; their rows stay, as `expired`. */
export async function expireExports(deps: Pick<ExportDeps, 'em' | 'bus'>, dataDir: string, days: number, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - days * 86_400_000);
  const due = await deps.em.find(ExportEntity, { status: 'completed', finishedAt: { $lt: before } }, { limit: 1000, orderBy: { finishedAt: 'asc' } });
  for (const row of due) {
    // The row first: from then on no download is offered, then the file goes.
    await deps.em.nativeUpdate(ExportEntity, { id: row.id, status: 'completed' }, { status: 'expired' });
    await removeExportFiles(dataDir, row.id);
    await announceExport(deps.bus, row.workspaceId, row.id);
  }
  return due.length;
}

/** The API shape of an export row; completed ones carry a signed download link. */
export function exportView(row: IExport, links: ExportLinks | null, retentionDays: number): ExportView {
  const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);
  const total = row.totalRows ?? null;
  const done = row.status === 'completed';
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    kind: row.kind,
    format: row.format,
    gzip: row.gzip,
    from: ms(row.rangeFrom),
    to: ms(row.rangeTo),
    agentIds: row.agentIds,
    status: row.status,
    rows: Number(row.rows),
    bytes: Number(row.bytes),
    percent: done ? 100 : total ? Math.min(99, Math.floor((Number(row.rows) / total) * 100)) : total === 0 && row.status === 'running' ? 99 : null,
    error: row.error ?? null,
    fileName: row.fileName ?? null,
    scheduleId: row.scheduleId ?? null,
    requestedBy: row.requestedBy ?? null,
    createdAt: row.createdAt.getTime(),
    startedAt: ms(row.startedAt),
    finishedAt: ms(row.finishedAt),
    expiresAt: done && row.finishedAt ? row.finishedAt.getTime() + retentionDays * 86_400_000 : null,
    downloadUrl: done && links ? links.url(row.id) : null,
  };
}
