// The Jobs dashboard: a workspace's own jobs (exports, schedules, retention sweeps, failed runs and
// webhook deliveries) for its admins, and deployment-wide queue figures for operators only.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Bus } from '../bus/bus.ts';
import { AppError } from '../errors.ts';
import type { Queues } from '../queue/queues.ts';
import { queueNames } from '../queue/jobs.ts';
import { webhookJobId } from '../alerts/delivery.ts';

/** Wakes jobs.events subscribers of a workspace (exports wake them on their own channel too). */
export const jobsChannel = (workspaceId: string) => `jobs:${workspaceId}`;
export type JobSource = 'schedule' | 'retention' | 'run' | 'webhook';

export const announceJobChange = (bus: Bus, workspaceId: string, source: JobSource) =>
  bus.publish(jobsChannel(workspaceId), { source });

const RECENT = 20;

/** The workspace's retention sweeps, failed assistant runs and failed webhook deliveries, newest first. */
export async function workspaceJobs(em: EntityManager, workspaceId: string) {
  const sweeps = await em.execute<{ id: string; actor_id: string | null; data: Record<string, unknown>; created_at: Date }[]>(
    `select id, actor_id, data, created_at from audit_log where workspace_id = ? and action = 'retention.sweep' order by id desc limit ?`, [workspaceId, 5]);
  const runs = await em.execute<{ id: string; conversation_id: string; title: string; status: string; reason: string | null; finished_at: Date | null; created_at: Date }[]>(
    `select r.id, r.conversation_id, c.title, r.status, r.reason, r.finished_at, r.created_at from runs r join conversations c on c.id = r.conversation_id
      where r.workspace_id = ? and r.status in ('failed', 'timeout') order by r.created_at desc limit ?`, [workspaceId, RECENT]);
  const webhooks = await em.execute<{ seq: number; rule_name: string; kind: string; webhook_attempts: number; webhook_error: string | null; created_at: Date }[]>(
    `select seq, rule_name, kind, webhook_attempts, webhook_error, created_at from alert_events
      where workspace_id = ? and webhook_state = 'failed' order by seq desc limit ?`, [workspaceId, RECENT]);
  const exportHooks = await em.execute<{ id: string; schedule_id: string; kind: string; format: string; status: string; webhook_attempts: number; webhook_error: string | null; finished_at: Date }[]>(
    `select id, schedule_id, kind, format, status, webhook_attempts, webhook_error, finished_at from exports
      where workspace_id = ? and webhook_state = 'failed' order by finished_at desc limit ?`, [workspaceId, RECENT]);
  const at = (d: Date | null) => (d ? new Date(d).getTime() : null);
  return {
    retentionSweeps: sweeps.map((s) => ({ id: s.id, actorId: s.actor_id, at: at(s.created_at)!, archived: Number(s.data.archived ?? 0), purged: Number(s.data.purged ?? 0), trigger: String(s.data.trigger ?? 'schedule') })),
    failedRuns: runs.map((r) => ({ id: r.id, conversationId: r.conversation_id, conversationTitle: r.title, status: r.status, reason: r.reason ?? 'no reason recorded', at: at(r.finished_at ?? r.created_at)! })),
    failedWebhooks: [
      ...webhooks.map((w) => ({ source: 'alert' as const, seq: w.seq, ruleName: w.rule_name, kind: w.kind, attempts: w.webhook_attempts, reason: w.webhook_error ?? 'no reason recorded', at: at(w.created_at)! })),
      // A scheduled export's completion webhook (export-schedules/webhook.ts): `kind` is what it announced.
      ...exportHooks.map((e) => ({
        source: 'export' as const, exportId: e.id, scheduleId: e.schedule_id, exportKind: e.kind, format: e.format,
        kind: e.status === 'completed' ? 'export.completed' : 'export.failed', attempts: e.webhook_attempts, reason: e.webhook_error ?? 'no reason recorded', at: at(e.finished_at)!,
      })),
    ].sort((a, b) => b.at - a.at).slice(0, RECENT),
  };
}

/** Delivers a failed alert webhook again, from its first attempt. */
export async function retryWebhookDelivery(deps: { em: EntityManager; queues: Queues; bus: Bus }, workspaceId: string, seq: number): Promise<void> {
  const rows = await deps.em.execute<{ seq: number }[]>(
    `update alert_events set webhook_state = 'pending', webhook_attempts = 0, webhook_error = null
      where workspace_id = ? and seq = ? and webhook_state = 'failed' returning seq`, [workspaceId, seq]);
  if (!rows.length) throw new AppError('NOT_FOUND', 'No failed delivery with that number');
  // The first delivery's job (same id) has ended: remove it, so the id can be used again.
  const jobId = webhookJobId(workspaceId, seq);
  await deps.queues.withQueue('webhooks', (q) => q.remove(jobId)).catch(() => undefined);
  await deps.queues.add('alerts.webhook', { workspaceId, seq }, { jobId });
  await announceJobChange(deps.bus, workspaceId, 'webhook');
}

export interface QueueFigures {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Age of the oldest waiting job, ms (null: none waiting). */
  oldestWaitingMs: number | null;
  /** Jobs finished in the last minute (of those the queue keeps). */
  perMinute: number;
}

/** Deployment-wide figures per queue (every tenant's jobs): for operators, never workspace admins. */
export async function queueFigures(queues: Queues, now = Date.now()): Promise<QueueFigures[]> {
  return Promise.all(queueNames.map((name) => queues.withQueue(name, async (q) => {
    const counts = await q.getJobCounts('wait', 'active', 'delayed', 'failed');
    const [oldest] = await q.getJobs(['wait'], 0, 0, true);
    const finished = await q.getJobs(['completed'], 0, 999);
    return {
      queue: name,
      waiting: counts.wait ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      oldestWaitingMs: oldest ? Math.max(0, now - oldest.timestamp) : null,
      perMinute: finished.filter((j) => (j.finishedOn ?? 0) > now - 60_000).length,
    };
  })));
}
