// Scheduled exports: rows in export_schedules (the source of truth), each backed by a BullMQ job
// scheduler on the `exports` queue whose due times run once, whatever the number of workers.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ExportSpec } from '@tandem/schema';
import { recordAudit } from '../audit/audit-log.ts';
import { AppError } from '../errors.ts';
import type { Bus } from '../bus/bus.ts';
import type { Queues } from '../queue/queues.ts';
import { createExport } from '../exports/exports.ts';
import { nextRuns, validateCron, type CronRules } from './cron.ts';
import { announceJobChange } from '../jobs/jobs-dashboard.ts';

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
}

const COLUMNS = `s.id, s.workspace_id, s.created_by, s.cron, s.timezone, s.spec, s.paused, s.created_at, s.last_due_at, s.last_run_at, s.last_export_id,
  (select e.status from exports e where e.id = s.last_export_id) as last_status`;

/** The scheduler's id in BullMQ; one per schedule. */
export const schedulerIdOf = (scheduleId: string) => `export-schedule-${scheduleId}`;
/** A run's export job keeps little: the export row is the record. */
const KEEP_RUNS = { removeOnComplete: { count: 100 }, removeOnFail: { age: 24 * 3600 } } as const;
const ms = (d: Date | null) => (d ? new Date(d).getTime() : null);

export function scheduleView(r: ScheduleRow, now = new Date()) {
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
    /** The next five run times (none while paused). */
    nextRuns: r.paused ? [] : nextRuns(r.cron, r.timezone, 5, now).map((d) => d.getTime()),
  };
}
export type ScheduleView = ReturnType<typeof scheduleView>;

async function findRow(em: EntityManager, workspaceId: string, scheduleId: string): Promise<ScheduleRow> {
  const [row] = await em.execute<ScheduleRow[]>(`select ${COLUMNS} from export_schedules s where s.id = ? and s.workspace_id = ?`, [scheduleId, workspaceId]);
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
}

export async function createExportSchedule(deps: ScheduleDeps, input: CreateScheduleInput, rules: CronRules = {}): Promise<ScheduleView> {
  validateCron(input.cron, input.timezone, rules);
  const id = crypto.randomUUID();
  await deps.em.transactional(async (tx) => {
    await tx.execute(`insert into export_schedules (id, workspace_id, created_by, cron, timezone, spec) values (?, ?, ?, ?, ?, ?::jsonb)`,
      [id, input.workspaceId, input.actorId, input.cron, input.timezone, JSON.stringify(input.spec)]);
    recordAudit(tx, { workspaceId: input.workspaceId, actorId: input.actorId, action: 'export.schedule.create', targetId: id, data: { cron: input.cron, timezone: input.timezone, kind: input.spec.kind, format: input.spec.format } });
  });
  // The row is committed first: a scheduler without a row runs nothing, a row without one is restored by the workers.
  await syncScheduler(deps.queues, { id, cron: input.cron, timezone: input.timezone, paused: false });
  await announce(deps, input.workspaceId);
  return scheduleView(await findRow(deps.em, input.workspaceId, id));
}

export async function listExportSchedules(em: EntityManager, workspaceId: string): Promise<ScheduleView[]> {
  const rows = await em.execute<ScheduleRow[]>(`select ${COLUMNS} from export_schedules s where s.workspace_id = ? order by s.created_at desc, s.id limit 200`, [workspaceId]);
  return rows.map((r) => scheduleView(r));
}

export async function setSchedulePaused(deps: ScheduleDeps, workspaceId: string, scheduleId: string, actorId: string, paused: boolean): Promise<ScheduleView> {
  const row = await findRow(deps.em, workspaceId, scheduleId);
  await deps.em.transactional(async (tx) => {
    await tx.execute(`update export_schedules set paused = ? where id = ?`, [paused, scheduleId]);
    recordAudit(tx, { workspaceId, actorId, action: paused ? 'export.schedule.pause' : 'export.schedule.resume', targetId: scheduleId });
  });
  await syncScheduler(deps.queues, { ...row, paused });
  await announce(deps, workspaceId);
  return scheduleView({ ...row, paused });
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
  const [row] = await deps.em.execute<ScheduleRow[]>(`select ${COLUMNS} from export_schedules s where s.id = ?`, [scheduleId]);
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
