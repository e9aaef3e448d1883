// The Jobs dashboard (issue 9 item 7): a workspace's jobs with reasons, retry and remove, changes
// pushed over jobs.events, and queue-wide figures for operators only, in both modes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import { exportWebhookJobId, webhookJobId } from '@tandem/core';
import { codeOf, sqlRows, startTestApp, watchSubscription, type TestApp } from './harness.ts';

const modes = await availableModes();
const OPERATOR = `ops-${randomUUID()}@example.com`;

describe.each(modes)('jobs dashboard (%s)', (mode) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<TestApp['signUp']>>;
  let other: Awaited<ReturnType<TestApp['signUp']>>;

  beforeAll(async () => {
    app = await startTestApp(mode, { OPERATOR_EMAILS: `someone@example.com, ${OPERATOR.toUpperCase()}` });
    admin = await app.signUp('Jobs admin');
    other = await app.signUp('Other admin');
  });
  afterAll(() => app?.close());

  it('lists exports, schedules with next runs, sweeps, failed runs and failed deliveries with their reasons', async () => {
    const ws = admin.workspaceId;
    const c = app.client(admin.token);
    const { exportId } = await c.export.create.mutate({ workspaceId: ws, kind: 'audit', format: 'csv' });
    const schedule = await c.export.schedule.mutate({ workspaceId: ws, kind: 'audit', format: 'ndjson', cron: '0 6 * * *', timezone: 'Asia/Tokyo' });
    await c.retention.run.mutate({ workspaceId: ws });
    const conversationId = randomUUID();
    await sqlRows(app, `insert into conversations (id, workspace_id, created_by, title, last_seq, last_activity_at, created_at) values (?, ?, ?, 'Broken talk', 0, now(), now())`, [conversationId, ws, admin.userId]);
    const runId = randomUUID();
    await sqlRows(app, `insert into runs (id, conversation_id, workspace_id, question_message_id, created_by, status, reason, created_at, finished_at) values (?, ?, ?, ?, ?, 'failed', 'OpenAI rejected the API key (HTTP 401)', now(), now())`,
      [runId, conversationId, ws, randomUUID(), admin.userId]);
    await sqlRows(app, `insert into alert_events (workspace_id, seq, rule_id, rule_name, agent_id, agent_name, kind, value, threshold, webhook_state, webhook_attempts, webhook_error)
      values (?, 7, ?, 'Slow checkout', ?, 'checkout-bot', 'fired', 900, 800, 'failed', 6, 'unreachable')`, [ws, randomUUID(), randomUUID()]);
    // A scheduled run whose completion webhook failed (its last attempt answered 500).
    const runExportId = randomUUID();
    await sqlRows(app, `insert into exports (id, workspace_id, schedule_id, kind, format, status, rows, bytes, created_at, finished_at, webhook_state, webhook_attempts, webhook_error)
      values (?, ?, ?, 'audit', 'ndjson', 'completed', 3, 120, now() - interval '1 hour', now() - interval '1 hour', 'failed', 6, 'delivery failed (status 500)')`, [runExportId, ws, schedule.id]);

    const jobs = await c.jobs.list.query({ workspaceId: ws });
    expect(jobs.exports.map((e) => e.id)).toContain(exportId);
    expect(jobs.schedules).toEqual([expect.objectContaining({ id: schedule.id, timezone: 'Asia/Tokyo', nextRuns: schedule.nextRuns })]);
    expect(new Date(jobs.schedules[0]!.nextRuns[0]!).getUTCHours()).toBe(21); // 06:00 in Tokyo
    expect(jobs.retentionSweeps[0]).toMatchObject({ actorId: admin.userId, trigger: 'manual', archived: 0, purged: 0 });
    expect(jobs.failedRuns).toEqual([expect.objectContaining({ id: runId, conversationTitle: 'Broken talk', reason: 'OpenAI rejected the API key (HTTP 401)' })]);
    expect(jobs.failedWebhooks).toEqual([
      expect.objectContaining({ source: 'alert', seq: 7, ruleName: 'Slow checkout', attempts: 6, reason: 'unreachable' }),
      expect.objectContaining({ source: 'export', exportId: runExportId, scheduleId: schedule.id, kind: 'export.completed', attempts: 6, reason: 'delivery failed (status 500)' }),
    ]);

    // Another workspace's admin sees none of it and can act on none of it.
    const theirs = await app.client(other.token).jobs.list.query({ workspaceId: other.workspaceId });
    expect([theirs.exports, theirs.schedules, theirs.failedRuns, theirs.failedWebhooks]).toEqual([[], [], [], []]);
    expect(await codeOf(app.client(other.token).jobs.remove.mutate({ workspaceId: other.workspaceId, kind: 'schedule', scheduleId: schedule.id }))).toBe('NOT_FOUND');
    expect(await codeOf(app.client(other.token).jobs.retry.mutate({ workspaceId: other.workspaceId, kind: 'export', exportId }))).toBe('NOT_FOUND');
    expect(await codeOf(app.client(other.token).jobs.list.query({ workspaceId: ws }))).toBe('NOT_FOUND');

    // Retry a failed delivery: pending again, its job added anew; a delivery that did not fail is not retried.
    await c.jobs.retry.mutate({ workspaceId: ws, kind: 'webhook', seq: 7 });
    expect(await app.rt.queues.withQueue('webhooks', (q) => q.getJob(webhookJobId(ws, 7)))).toBeTruthy();
    expect(await codeOf(c.jobs.retry.mutate({ workspaceId: ws, kind: 'webhook', seq: 8 }))).toBe('NOT_FOUND');
    // A failed export webhook too, once: pending again with its attempts reset, its job added anew; not from another workspace.
    expect(await codeOf(app.client(other.token).jobs.retry.mutate({ workspaceId: other.workspaceId, kind: 'exportWebhook', exportId: runExportId }))).toBe('NOT_FOUND');
    await c.jobs.retry.mutate({ workspaceId: ws, kind: 'exportWebhook', exportId: runExportId });
    const [hook] = await sqlRows<{ webhook_state: string; webhook_attempts: number; finished_at: Date }>(app, `select webhook_state, webhook_attempts, finished_at from exports where id = ?`, [runExportId]);
    expect(hook).toMatchObject({ webhook_state: 'pending', webhook_attempts: 0 });
    expect(await app.rt.queues.withQueue('webhooks', (q) => q.getJob(exportWebhookJobId({ exportId: runExportId, finishedAt: new Date(hook!.finished_at).getTime() })))).toBeTruthy();
    expect(await codeOf(c.jobs.retry.mutate({ workspaceId: ws, kind: 'exportWebhook', exportId: runExportId }))).toBe('NOT_FOUND');
    expect((await c.jobs.list.query({ workspaceId: ws })).failedWebhooks).toEqual([]); // both retried
    // Remove a schedule through the dashboard.
    await c.jobs.remove.mutate({ workspaceId: ws, kind: 'schedule', scheduleId: schedule.id });
    expect((await c.jobs.list.query({ workspaceId: ws })).schedules).toEqual([]);
  });

  it('jobs.events pushes schedule and export changes as they happen', async () => {
    const ws = admin.workspaceId;
    const socket = app.wsClient(admin.token);
    try {
      const probe = watchSubscription<{ source: string; exportId?: string }>((o) => socket.client.jobs.events.subscribe({ workspaceId: ws }, o));
      await vi.waitFor(() => expect(probe.started).toBe(true), { timeout: 10_000 });
      const s = await app.client(admin.token).export.schedule.mutate({ workspaceId: ws, kind: 'audit', format: 'csv', cron: '0 0 1 1 *' });
      await vi.waitFor(() => expect(probe.data.map((v) => v.source)).toContain('schedule'), { timeout: 10_000, interval: 20 });
      const { exportId } = await app.client(admin.token).export.create.mutate({ workspaceId: ws, kind: 'audit', format: 'json' });
      await vi.waitFor(() => expect(probe.data).toContainEqual({ source: 'export', exportId }), { timeout: 10_000, interval: 20 });
      await app.client(admin.token).export.unschedule.mutate({ workspaceId: ws, scheduleId: s.id });
      probe.unsubscribe();
    } finally {
      await socket.close();
    }
  });

  it('queue-wide figures are for operators only: a workspace admin is refused', async () => {
    expect(await codeOf(app.client(admin.token).jobs.queues.query())).toBe('FORBIDDEN');
    const { token } = await app.client().auth.register.mutate({ email: OPERATOR, password: 'correct horse', name: 'Operator' });
    const { queues } = await app.client(token).jobs.queues.query();
    expect(queues.map((q) => q.queue)).toEqual(expect.arrayContaining(['exports', 'maintenance', 'assistant', 'webhooks']));
    for (const q of queues) {
      expect(q).toEqual({ queue: q.queue, waiting: expect.any(Number), active: expect.any(Number), delayed: expect.any(Number), failed: expect.any(Number), oldestWaitingMs: q.oldestWaitingMs === null ? null : expect.any(Number), perMinute: expect.any(Number) });
    }
    // The exports this suite made finished within the last minute.
    expect(queues.find((q) => q.queue === 'exports')!.perMinute).toBeGreaterThan(0);
  });
});
