// The periodic exports.sweep job: files past EXPORT_RETENTION_DAYS are removed, and exports whose
// job ended or vanished without finishing them are failed with a reason (they can be retried);
// scheduled runs' webhook deliveries that never reached the queue are enqueued.
import type { Runtime } from '../runtime.ts';
import { ExportEntity } from '../entities/export.ts';
import { expireExports, exportJobId, failExport } from './exports.ts';
import { enqueuePendingExportWebhooks } from '../export-schedules/webhook.ts';

/** An export this young may not have reached the queue yet (createExport flushes, then enqueues). */
const ORPHAN_AFTER_MS = 60_000;

export async function sweepExports(rt: Runtime, now = new Date()): Promise<{ expired: number; orphaned: number; webhooks: number }> {
  const em = rt.orm.em.fork();
  const deps = { em, bus: rt.bus, queues: rt.queues, log: rt.log };
  const expired = await expireExports(deps, rt.config.DATA_DIR, rt.config.EXPORT_RETENTION_DAYS, now);
  const open = await em.find(
    ExportEntity,
    { status: { $in: ['queued', 'running'] }, createdAt: { $lt: new Date(now.getTime() - ORPHAN_AFTER_MS) } },
    { limit: 200 },
  );
  let orphaned = 0;
  for (const row of open) {
    const job = await rt.queues.withQueue('exports', (q) => q.getJob(exportJobId(row.id)));
    const state = job ? await job.getState() : 'missing';
    if (state !== 'missing' && state !== 'failed' && state !== 'completed') continue;
    const reason = job?.failedReason || 'The export stopped without finishing (its job was lost); retry it';
    if (await failExport(deps, row.id, reason)) orphaned++;
  }
  const webhooks = await enqueuePendingExportWebhooks(em, rt.queues, now);
  return { expired, orphaned, webhooks };
}
