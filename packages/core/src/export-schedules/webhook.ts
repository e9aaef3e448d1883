// A schedule's completion webhook: when one of its runs completes or fails, the export row is
// marked pending and an `export.webhook` job on the `webhooks` queue POSTs the outcome, through
// the alert webhooks' request (postWebhook: private destinations refused where the connection is
// made, 5 s timeout, no redirects). The delivery state lives on the export row, as an alert
// event's lives on alert_events; export.schedules shows each schedule's latest.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Queues } from '../queue/queues.ts';
import type { ExportLinks } from '../exports/links.ts';
import { attemptWebhook, type WebhookOutcome } from '../alerts/delivery.ts';
import type { Resolve } from '../alerts/webhook-destination.ts';
import type { Bus } from '../bus/bus.ts';
import { AppError } from '../errors.ts';
import { announceJobChange } from '../jobs/jobs-dashboard.ts';

/** Pending deliveries (or finished runs never marked) older than this are enqueued again by the exports sweep. */
const REQUEUE_AFTER_MS = 60_000;
const REQUEUE_WITHIN_MS = 24 * 3600_000;

/** Which outcome of the export a delivery is about: a retried export that ends again gets a delivery of its own. */
export interface ExportWebhookTarget {
  workspaceId: string;
  exportId: string;
  /** The export's finished_at when the delivery was made due (epoch ms). */
  finishedAt: number;
}

/** One job per outcome: enqueueing it again (the sweep, a retried hook) is a no-op in BullMQ. */
export const exportWebhookJobId = (t: Pick<ExportWebhookTarget, 'exportId' | 'finishedAt'>) => `export-webhook-${t.exportId}-${t.finishedAt}`;

/**
 * What the receiver gets. `downloadUrl` is the signed link (1 hour from the attempt): absolute on
 * PUBLIC_URL when the deployment sets it, else a path relative to the server's origin.
 */
export interface ExportWebhookBody {
  type: 'export.completed' | 'export.failed';
  workspaceId: string;
  scheduleId: string;
  exportId: string;
  kind: string;
  format: string;
  rows: number;
  bytes: number;
  downloadUrl: string | null;
  /** The failure's reason (export.failed only). */
  error: string | null;
  finishedAt: string;
}

interface Marked { workspace_id: string; id: string; finished_at: Date }

const toTarget = (r: Marked): ExportWebhookTarget => ({ workspaceId: r.workspace_id, exportId: r.id, finishedAt: new Date(r.finished_at).getTime() });
const enqueue = (queues: Queues, t: ExportWebhookTarget) => queues.add('export.webhook', t, { jobId: exportWebhookJobId(t) });

/**
 * Called when an export completes or fails: if it is a run of a schedule with a webhook, marks its
 * delivery pending and enqueues it. Best effort (the export's outcome stands either way): a mark
 * or enqueue that fails is caught up by the exports sweep (enqueuePendingExportWebhooks).
 */
export async function queueExportWebhook(deps: { em: EntityManager; queues: Queues; log?: Logger }, exportId: string): Promise<boolean> {
  try {
    const [row] = await deps.em.execute<Marked[]>(
      `update exports e set webhook_state = 'pending', webhook_attempts = 0, webhook_error = null, webhook_delivered_at = null
         from export_schedules s
        where e.id = ? and s.id = e.schedule_id and s.workspace_id = e.workspace_id and s.webhook_url is not null
          and e.status in ('completed', 'failed') and e.finished_at is not null and e.webhook_state is null
        returning e.workspace_id, e.id, e.finished_at`,
      [exportId],
    );
    if (!row) return false;
    await enqueue(deps.queues, toTarget(row));
    return true;
  } catch (err) {
    deps.log?.warn({ err, exportId }, 'export webhook not enqueued; the exports sweep retries');
    return false;
  }
}

/** Jobs page: delivers a run's failed completion webhook again, from its first attempt (the row's latest outcome). */
export async function retryExportWebhook(deps: { em: EntityManager; queues: Queues; bus: Bus }, workspaceId: string, exportId: string): Promise<void> {
  const [row] = await deps.em.execute<Marked[]>(
    `update exports set webhook_state = 'pending', webhook_attempts = 0, webhook_error = null, webhook_delivered_at = null
      where id = ? and workspace_id = ? and webhook_state = 'failed' returning workspace_id, id, finished_at`,
    [exportId, workspaceId],
  );
  if (!row) throw new AppError('NOT_FOUND', 'No failed delivery for that export');
  const target = toTarget(row);
  // The failed delivery's job (same id) has ended: remove it, so the id can be used again.
  await deps.queues.withQueue('webhooks', (q) => q.remove(exportWebhookJobId(target))).catch(() => undefined);
  await enqueue(deps.queues, target);
  await announceJobChange(deps.bus, workspaceId, 'webhook');
}

/**
 * For the exports sweep: runs of webhook schedules that finished over a minute ago (within a day)
 * and were never marked (the worker died between finishing and marking), and deliveries still
 * pending (their enqueue failed, or the job was lost), are enqueued.
 */
export async function enqueuePendingExportWebhooks(em: EntityManager, queues: Queues, now: Date): Promise<number> {
  const window = [new Date(now.getTime() - REQUEUE_AFTER_MS), new Date(now.getTime() - REQUEUE_WITHIN_MS)];
  await em.execute(
    `update exports e set webhook_state = 'pending', webhook_attempts = 0
       from export_schedules s
      where s.id = e.schedule_id and s.workspace_id = e.workspace_id and s.webhook_url is not null
        and e.status in ('completed', 'failed') and e.webhook_state is null and e.finished_at < ? and e.finished_at > ?`,
    window,
  );
  const rows = await em.execute<Marked[]>(
    `select workspace_id, id, finished_at from exports
      where status in ('completed', 'failed') and webhook_state = 'pending' and finished_at < ? and finished_at > ?
      order by finished_at limit 500`,
    window,
  );
  for (const r of rows) await enqueue(queues, toTarget(r));
  return rows.length;
}

interface DeliveryRow {
  schedule_id: string;
  kind: string;
  format: string;
  status: string;
  rows: string | number;
  bytes: string | number;
  error: string | null;
  finished_at: Date;
  webhook_state: string | null;
  webhook_url: string | null;
}

/**
 * Delivers one run's outcome to its schedule's webhook: POST JSON, retried by BullMQ on anything
 * but 2xx; each attempt's outcome is recorded on the export row (`final`: no retry follows a
 * failure), showing admins only the status or "unreachable" (webhook-destination.ts says why).
 * At-least-once: receivers dedupe on X-Tandem-Delivery. A delivery whose export has since been
 * retried (another outcome) or whose schedule was removed is skipped.
 */
export async function deliverExportWebhook(
  em: EntityManager,
  links: ExportLinks,
  target: ExportWebhookTarget,
  attempt: { number: number; final: boolean },
  opts: { allowPrivate: boolean; resolve?: Resolve; timeoutMs?: number; publicUrl?: string | undefined },
): Promise<WebhookOutcome> {
  const finishedAt = new Date(target.finishedAt);
  const [row] = await em.execute<DeliveryRow[]>(
    `select e.schedule_id, e.kind, e.format, e.status, e.rows, e.bytes, e.error, e.finished_at, e.webhook_state, s.webhook_url
       from exports e join export_schedules s on s.id = e.schedule_id and s.workspace_id = e.workspace_id
      where e.id = ? and e.workspace_id = ? and e.finished_at = ?`,
    [target.exportId, target.workspaceId, finishedAt],
  );
  if (!row?.webhook_url || row.webhook_state !== 'pending') return { delivered: false, skipped: row ? `state ${row.webhook_state}` : 'no such run' };
  if (row.status !== 'completed' && row.status !== 'failed') {
    await settle(em, target, attempt.number, 'failed', `export ${row.status} before delivery`);
    return { delivered: false, skipped: `export ${row.status}` };
  }
  const completed = row.status === 'completed';
  const body: ExportWebhookBody = {
    type: completed ? 'export.completed' : 'export.failed',
    workspaceId: target.workspaceId,
    scheduleId: row.schedule_id,
    exportId: target.exportId,
    kind: row.kind,
    format: row.format,
    rows: Number(row.rows),
    bytes: Number(row.bytes),
    downloadUrl: completed ? (opts.publicUrl ? new URL(links.url(target.exportId), opts.publicUrl).href : links.url(target.exportId)) : null,
    error: completed ? null : row.error,
    finishedAt: finishedAt.toISOString(),
  };
  return attemptWebhook({
    url: row.webhook_url,
    body,
    headers: { 'user-agent': 'Tandem-Exports/1', 'x-tandem-delivery': `${target.workspaceId}:export:${target.exportId}:${target.finishedAt}` },
    final: attempt.final,
    settle: (state, error) => settle(em, target, attempt.number, state, error),
    opts,
  });
}

/** Writes only the outcome this delivery is about: after a retry of the export, its row is another outcome's. */
async function settle(em: EntityManager, t: ExportWebhookTarget, attempts: number, state: 'pending' | 'delivered' | 'failed', error: string | null): Promise<void> {
  await em.execute(
    `update exports set webhook_state = ?, webhook_attempts = ?, webhook_error = ?, webhook_delivered_at = case when ? then now() end
      where id = ? and workspace_id = ? and finished_at = ? and webhook_state = 'pending'`,
    [state, attempts, error?.slice(0, 300) ?? null, state === 'delivered', t.exportId, t.workspaceId, new Date(t.finishedAt)],
  );
}
