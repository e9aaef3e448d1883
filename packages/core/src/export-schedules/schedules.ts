// Scheduled exports: rows in export_schedules (the source of truth), each backed by a BullMQ job
// scheduler on the `exports` queue whose due times run once, whatever the number of workers. A
// schedule may have a webhook told of each run's outcome (webhook.ts).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ExportSpec } from '@tandem/schema';
import { recordAudit } from '../audit/audit-log.ts';
import { AppError } from '../errors.ts';
import type { Bus } from '../bus/bus.ts';
import type { Queues } from '../queue/queues.ts';
import { createExport } from '../exports/exports.ts';
import { nextRuns, validateCron, type CronRules } from './cron.ts';
import { announceJobChange } from '../jobs/jobs-dashboard.ts';
import { refusedLiteral } from '../alerts/webhook-destination.ts';
import { webhookOrigin } from '../alerts/rules.ts';

export interface ScheduleDeps {
  em: EntityManager;
  queues: Queues;
  /** Wakes the Jobs page (jobs.events) after a change. */
  bus?: Bus;
}

const announce = (deps: ScheduleDeps, workspaceId: string) => deps.bus ? announceJobChange(deps.bus, workspaceId, 'schedule') : Promise.resolve();

interface ScheduleRow {
  id: string;
  workspace_id: string;
  created_by: string;
  cron: string;
  timezone: string;
  spec: ExportSpec;
  paused: boolean;
  created_at: Date;
  last_due_at: Date | null;
  last_run_at: Date | null;
  last_export_id: string | null;
  last_status: string | null;
  webhook_url: string | null;
  /** The latest run whose webhook was due (d_*: its delivery). */
  d_export_id: string | null;
  d_state: 'pending' | 'delivered' | 'failed' | null;
  d_attempts: number | null;
  d_error: string | null;
  d_finished_at: Date | null;
}

const COLUMNS = `s.id, s.workspace_id, s.created_by, s.cron, s.timezone, s.spec, s.paused, s.created_at, s.last_due_at, s.last_run_at, s.last_export_id,
  (select e.status from exports e where e.id = s.last_export_id) as last_status, s.webhook_url,
  d.id as d_export_id, d.webhook_state as d_state, d.webhook_attempts as d_attempts, d.webhook_error as d_error, d.finished_at as d_finished_at`;
/** A schedule with its latest webhook delivery (exports_schedule_id_finished_at_index finds it). */
const FROM = `export_schedules s left join lateral (
  select e.id, e.webhook_state, e.webhook_attempts, e.webhook_error, e.finished_at from exports e
   where e.schedule_id = s.id and e.workspace_id = s.workspace_id and e.webhook_state is not null
   order by e.finished_at desc nulls last limit 1) d on true`;

/** The scheduler's id in BullMQ; one per schedule. */
export const schedulerIdOf = (scheduleId: string) => `export-schedule-${scheduleId}`;
/** A run's export job keeps little: the export row is the record. */
const KEEP_RUNS = { removeOnComplete: { count: 100 }, removeOnFail: { age: 24 * 3600 } } as const;
const ms = (d: Date | null) => (d ? new Date(d).getTime() : null);

/**
 * `showWebhookUrls`: the full URL and the last delivery. Schedules are listed to admins only
 * (export.schedules, jobs.list), who always see both; should others ever list them, they see the
 * origin alone (the path of a chat hook is its secret), as alert.listRules does.
 */
export function scheduleView(r: ScheduleRow, opts: { showWebhookUrls: boolean }, now = new Date()) {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    createdBy: r.created_by,
    cron: r.cron,
    timezone: r.timezone,
    spec: r.spec,
    paused: r.paused,
    createdAt: new Date(r.created_at).getTime(),
    lastRunAt: ms(r.last_run_at),
    lastExportId: r.last_export_id,
    lastStatus: r.last_status,
    webhookUrl: r.webhook_url && (opts.showWebhookUrls ? r.webhook_url : `${webhookOrigin(r.webhook_url)}/…`),
    /** The latest run's completion webhook: pending (retrying), delivered, or failed with the status or "unreachable". */
    lastDelivery: opts.showWebhookUrls && r.d_export_id && r.d_state
      ? { exportId: r.d_export_id, state: r.d_state, attempts: r.d_attempts ?? 0, error: r.d_error, finishedAt: ms(r.d_finished_at) }
      : null,
    /** The next five run times (none while paused). */
    nextRuns: r.paused ? [] : nextRuns(r.cron, r.timezone, 5, now).map((d) => d.getTime()),
  };
}
export type ScheduleView = ReturnType<typeof scheduleView>;

async function findRow(em: EntityManager, workspaceId: string, scheduleId: string): Promise<ScheduleRow> {
  const [row] = await em.execute<ScheduleRow[]>(`select ${COLUMNS} from ${FROM} where s.id = ? and s.workspace_id = ?`, [scheduleId, workspaceId]);
  if (!row) throw new AppError('NOT_FOUND', 'Schedule not found');
  return row;
}

/** Registers (or updates) the schedule's job scheduler; a paused schedule has none. */
async function syncScheduler(queues: Queues, row: Pick<ScheduleRow, 'id' | 'cron' | 'timezone' | 'paused'>): Promise<void> {
  await queues.withQueue('exports', async (q) => {
    if (row.paused) await q.removeJobScheduler(schedulerIdOf(row.id));
    else await q.upsertJobScheduler(schedulerIdOf(row.id), { pattern: row.cron, tz: row.timezone }, {
      name: 'export.scheduled', data: { scheduleId: row.id }, opts: KEEP_RUNS,
    });
  });
}

export interface CreateScheduleInput {
  workspaceId: string;
  actorId: string;
  cron: string;
  timezone: string;
  spec: ExportSpec;
  /** POSTed each run's outcome (webhook.ts); validated as alert webhooks are (webhookUrlSchema). */
  webhookUrl?: string | null;
}

export interface ScheduleRules extends CronRules {
  /** WEBHOOK_ALLOW_PRIVATE: webhooks may go to private addresses. */
  allowPrivateWebhooks?: boolean;
}

/**
 * A webhook at a private IP address is refused here, with the reason, so the admin learns it now
 * rather than from failed deliveries. A host name is checked where each delivery connects (its
 * addresses may change): a name that resolves to a private address fails as unreachable.
 */
function checkWebhookUrl(url: string, rules: ScheduleRules): void {
  if (rules.allowPrivateWebhooks) return;
  const why = refusedLiteral(new URL(url));
  if (why) throw new AppError('BAD_REQUEST', `Webhook URL is refused: ${why}; webhooks are sent to public addresses only`, { field: 'webhookUrl' });
}

export async function createExportSchedule(deps: ScheduleDeps, input: CreateScheduleInput, rules: ScheduleRules = {}): Promise<ScheduleView> {
  validateCron(input.cron, input.timezone, rules);
  const webhookUrl = input.webhookUrl ?? null;
  if (webhookUrl) checkWebhookUrl(webhookUrl, rules);
  const id = crypto.randomUUID();
  await deps.em.transactional(async (tx) => {
    await tx.execute(`insert into export_schedules (id, workspace_id, created_by, cron, timezone, spec, webhook_url) values (?, ?, ?, ?, ?, ?::jsonb, ?)`,
      [id, input.workspaceId, input.actorId, input.cron, input.timezone, JSON.stringify(input.spec), webhookUrl]);
    recordAudit(tx, {
      workspaceId: input.workspaceId, actorId: input.actorId, action: 'export.schedule.create', targetId: id,
      // The origin only, as for alert rules: the audit log is read more widely than the schedule.
      data: { cron: input.cron, timezone: input.timezone, kind: input.spec.kind, format: input.spec.format, webhook: webhookUrl ? webhookOrigin(webhookUrl) : null },
    });
  });
  // The row is committed first: a scheduler without a row runs nothing, a row without one is restored by the workers.
  await syncScheduler(deps.queues, { id, cron: input.cron, timezone: input.timezone, paused: false });
  await announce(deps, input.workspaceId);
  return scheduleView(await findRow(deps.em, input.workspaceId, id), { showWebhookUrls: true });
}

export async function listExportSchedules(em: EntityManager, workspaceId: string, opts: { showWebhookUrls: boolean }): Promise<ScheduleView[]> {
  const rows = await em.execute<ScheduleRow[]>(`select ${COLUMNS} from ${FROM} where s.workspace_id = ? order by s.created_at desc, s.id limit 200`, [workspaceId]);
  return rows.map((r) => scheduleView(r, opts));
}

export async function setSchedulePaused(deps: ScheduleDeps, workspaceId: string, scheduleId: string, actorId: string, paused: boolean): Promise<ScheduleView> {
  const row = await findRow(deps.em, workspaceId, scheduleId);
  await deps.em.transactional(async (tx) => {
    await tx.execute(`update export_schedules set paused = ? where id = ?`, [paused, scheduleId]);
    recordAudit(tx, { workspaceId, actorId, action: paused ? 'export.schedule.pause' : 'export.schedule.resume', targetId: scheduleId });
  });
  await syncScheduler(deps.queues, { ...row, paused });
  await announce(deps, workspaceId);
  return scheduleView({ ...row, paused }, { showWebhookUrls: true }); // admins only (export.pauseSchedule / resumeSchedule)
}

export async function removeExportSchedule(deps: ScheduleDeps, workspaceId: string, scheduleId: string, actorId: string): Promise<{ removed: true }> {
  const row = await findRow(deps.em, workspaceId, scheduleId);
  await deps.em.transactional(async (tx) => {
    await tx.execute(`delete from export_schedules where id = ?`, [scheduleId]);
    recordAudit(tx, { workspaceId, actorId, action: 'export.schedule.remove', targetId: scheduleId, data: { cron: row.cron, timezone: row.timezone } });
  });
  await syncScheduler(deps.queues, { ...row, paused: true });
  await announce(deps, workspaceId);
  return { removed: true };
}

/** The due time of a job scheduler's job: its id is `repeat:<schedulerId>:<epoch ms>`. */
export function dueTimeOf(job: { id?: string; timestamp: number }): Date {
  const tail = Number(job.id?.slice(job.id.lastIndexOf(':') + 1));
  return new Date(Number.isFinite(tail) && tail > 0 ? tail : job.timestamp);
}

/**
 * One due time of a schedule: an ordinary export row linked to it. BullMQ gives each due time one
 * job (its id carries the time), and last_due_at makes a retried job a no-op once its export exists.
 */
export async function runScheduledExport(deps: ScheduleDeps & { bus: Bus }, scheduleId: string, dueAt: Date): Promise<{ exportId: string } | { skipped: string }> {
  const [row] = await deps.em.execute<ScheduleRow[]>(`select s.id, s.workspace_id, s.spec, s.paused, s.last_due_at from export_schedules s where s.id = ?`, [scheduleId]);
  if (!row) {
    await deps.queues.withQueue('exports', (q) => q.removeJobScheduler(schedulerIdOf(scheduleId))).catch(() => undefined);
    return { skipped: 'schedule removed' };
  }
  if (row.paused) return { skipped: 'paused' };
  if (row.last_due_at && new Date(row.last_due_at).getTime() >= dueAt.getTime()) return { skipped: 'already ran' };
  const created = await createExport({ em: deps.em.fork(), queues: deps.queues, bus: deps.bus }, {
    ...row.spec, workspaceId: row.workspace_id, requestedBy: null, scheduleId,
  });
  await deps.em.execute(`update export_schedules set last_due_at = greatest(coalesce(last_due_at, ?), ?), last_run_at = now(), last_export_id = ? where id = ?`,
    [dueAt, dueAt, created.id, scheduleId]);
  await announce(deps, row.workspace_id);
  return { exportId: created.id };
}

/** Registers again the schedulers the queue lost (Redis restarted without its data); run by every worker's maintenance. */
export async function restoreExportSchedules(em: EntityManager, queues: Queues): Promise<number> {
  const rows = await em.execute<ScheduleRow[]>(`select id, cron, timezone, paused from export_schedules where not paused order by id limit 1000`);
  if (!rows.length) return 0;
  const present = new Set((await queues.withQueue('exports', (q) => q.getJobSchedulers(0, -1))).map((s) => s.key));
  let restored = 0;
  for (const r of rows)
    if (!present.has(schedulerIdOf(r.id))) {
      await syncScheduler(queues, r);
      restored++;
    }
  return restored;
}
