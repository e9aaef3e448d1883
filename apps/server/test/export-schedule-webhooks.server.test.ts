// A scheduled export's completion webhook (issue 9 item 4): set by admins on export.schedule
// (validated like alert webhooks, a private IP refused at once), each run's outcome POSTed once
// through the webhook delivery (the `webhooks` queue, retried, state on the export row) with a
// signed download link, and the latest delivery shown in the schedule list.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { Queues, deliverExportWebhook, exportJobId, exportLinks, exportWebhookJobId, runScheduledExport, sweepExports, type ExportWebhookBody } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import { makeProcessor } from '@tandem/worker';
import { codeOf, errorOf, inviteMember, sqlRows, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();

interface Received { delivery: string; userAgent: string; body: ExportWebhookBody; status: number }

/** A webhook receiver (an external peer): answers the n-th attempt of each delivery with script[n], then `otherwise`. */
async function webhookReceiver(script: number[], otherwise = 200) {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const delivery = String(req.headers['x-tandem-delivery']);
      const n = attempts.get(delivery) ?? 0;
      attempts.set(delivery, n + 1);
      const status = script[n] ?? otherwise;
      received.push({ delivery, userAgent: String(req.headers['user-agent']), body: JSON.parse(raw) as ExportWebhookBody, status });
      res.writeHead(status).end('ignored');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hooks/export-secret`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.each(modes)('scheduled-export webhooks (%s)', (mode) => {
  /** The receivers are on 127.0.0.1: this app allows private destinations (WEBHOOK_ALLOW_PRIVATE=1, as the alert tests). */
  let app: TestApp;
  /** The default: private destinations refused. */
  let strict: TestApp;
  const workers: Queues[] = [];
  const receivers: { close(): Promise<void> }[] = [];

  /** A worker process's queue side for one queue: its own connections, the processor of every job. */
  function startWorker(queue: string): Queues {
    const q = new Queues(app.rt.queues.target, pino({ level: 'silent' }));
    q.startWorker(queue, makeProcessor(app.rt));
    workers.push(q);
    return q;
  }
  let exportsWorker: Queues | null = null;
  /** Runs export.run jobs from here on (until a test closes every worker). */
  const ensureExportsWorker = () => (exportsWorker ??= startWorker('exports'));
  const receiver = async (script: number[], otherwise?: number) => {
    const r = await webhookReceiver(script, otherwise);
    receivers.push(r);
    return r;
  };
  /** A due time run now, as the job scheduler's job would (far-off crons never fire by themselves here). */
  const runNow = async (scheduleId: string) => {
    const made = await runScheduledExport({ em: app.rt.orm.em.fork(), queues: app.rt.queues, bus: app.rt.bus }, scheduleId, new Date());
    if (!('exportId' in made)) throw new Error(`no run: ${made.skipped}`);
    return made.exportId;
  };
  const scheduleOf = async (token: string, workspaceId: string, id: string) =>
    (await app.client(token).export.schedules.query({ workspaceId })).find((s) => s.id === id)!;

  beforeAll(async () => {
    // No built-in workers: each test starts the queues' workers it needs.
    [app, strict] = await Promise.all([startTestApp(mode, { WEBHOOK_ALLOW_PRIVATE: '1' }, { workers: false }), startTestApp(mode, {}, { workers: false })]);
    startWorker('webhooks');
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close(1000)));
    await Promise.all(receivers.map((r) => r.close()));
    await Promise.all([app?.close(), strict?.close()]);
  });

  it('admins set it: an http(s) URL, a private address refused with the reason, shown in the list; members FORBIDDEN, another workspace NOT_FOUND', async () => {
    const [admin, member, outsider] = await Promise.all([strict.signUp('Hook admin'), strict.signUp('Hook member'), strict.signUp('Hook outsider')]);
    await inviteMember(strict, admin.token, admin.workspaceId, member, 'member');
    const c = strict.client(admin.token).export;
    const input = { workspaceId: admin.workspaceId, kind: 'audit', format: 'csv', cron: '0 3 1 1 *', timezone: 'UTC' } as const;

    expect(await errorOf(c.schedule.mutate({ ...input, webhookUrl: 'file:///etc/passwd' })))
      .toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { webhookUrl: ['Webhook URL must be an http or https URL'] } });
    for (const url of ['http://127.0.0.1:9/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::ffff:7f00:1]/hook', 'https://10.1.2.3/hook']) {
      const refused = await errorOf(c.schedule.mutate({ ...input, webhookUrl: url }));
      expect(refused, url).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { webhookUrl: [expect.stringMatching(/is a private address; webhooks are sent to public addresses only$/)] } });
    }
    expect(await c.schedules.query({ workspaceId: admin.workspaceId }), 'nothing refused was stored').toEqual([]);

    const hook = 'https://hooks.example.com/services/T000/secret';
    const s = await c.schedule.mutate({ ...input, webhookUrl: hook });
    expect(s).toMatchObject({ webhookUrl: hook, lastDelivery: null });
    const plain = await c.schedule.mutate(input);
    expect(plain.webhookUrl).toBeNull();
    expect((await c.schedules.query({ workspaceId: admin.workspaceId })).map((x) => [x.id, x.webhookUrl])).toEqual([[plain.id, null], [s.id, hook]]);
    // The audit entry names the receiver's origin, not its secret path.
    const [created] = (await strict.client(admin.token).audit.list.query({ workspaceId: admin.workspaceId, action: 'export.schedule.create', targetId: s.id })).items;
    expect(created!.data).toMatchObject({ webhook: 'https://hooks.example.com' });

    expect(await codeOf(strict.client(member.token).export.schedule.mutate({ ...input, webhookUrl: hook }))).toBe('FORBIDDEN');
    expect(await codeOf(strict.client(member.token).export.schedules.query({ workspaceId: admin.workspaceId }))).toBe('FORBIDDEN');
    expect(await codeOf(strict.client(outsider.token).export.schedule.mutate({ ...input, webhookUrl: hook }))).toBe('NOT_FOUND');
    expect(await codeOf(strict.client(outsider.token).export.schedules.query({ workspaceId: admin.workspaceId }))).toBe('NOT_FOUND');
    expect((await c.schedules.query({ workspaceId: admin.workspaceId })).length).toBe(2);
  });

  it('a run that fails POSTs export.failed once, retried past a 503, caught up by the sweep if never sent; retried by an admin, its completion is a delivery of its own', async () => {
    const admin = await app.signUp('Failing runs');
    const hook = await receiver([503]);
    const s = await app.client(admin.token).export.schedule.mutate({
      workspaceId: admin.workspaceId, kind: 'audit', format: 'ndjson', cron: '0 3 1 1 *', timezone: 'UTC', webhookUrl: hook.url,
    });
    // No exports worker yet: the run's job is lost, and the exports sweep fails the run with its
    // reason. Its clock is just past the orphan age of the run, so the failure's own hook sends the
    // webhook, not the sweep's catch-up (which waits a minute after the run finished).
    const exportId = await runNow(s.id);
    await app.rt.queues.withQueue('exports', (q) => q.remove(exportJobId(exportId)));
    const [made] = await sqlRows<{ created_at: Date }>(app, `select created_at from exports where id = ?`, [exportId]);
    const swept = await sweepExports(app.rt, new Date(new Date(made!.created_at).getTime() + 60_001));
    expect(swept).toMatchObject({ orphaned: 1, webhooks: 0 });

    await vi.waitFor(async () => expect((await scheduleOf(admin.token, admin.workspaceId, s.id)).lastDelivery).toMatchObject({ state: 'delivered' }), { timeout: 30_000, interval: 100 });
    const [row] = await sqlRows<{ status: string; error: string; finished_at: Date }>(app, `select status, error, finished_at from exports where id = ?`, [exportId]);
    expect(row!.status).toBe('failed');
    expect(hook.received.map((r) => r.status)).toEqual([503, 200]);
    expect(new Set(hook.received.map((r) => r.delivery)).size).toBe(1);
    expect(hook.received[1]!.userAgent).toBe('Tandem-Exports/1');
    expect(hook.received[1]!.body).toEqual({
      type: 'export.failed', workspaceId: admin.workspaceId, scheduleId: s.id, exportId, kind: 'audit', format: 'ndjson',
      rows: 0, bytes: 0, downloadUrl: null, error: row!.error, finishedAt: new Date(row!.finished_at).toISOString(),
    });
    expect(row!.error).toMatch(/job was lost/);
    expect((await scheduleOf(admin.token, admin.workspaceId, s.id)).lastDelivery).toEqual({
      exportId, state: 'delivered', attempts: 2, error: null, finishedAt: new Date(row!.finished_at).getTime(),
    });
    // The sweep again (its catch-up of pending deliveries included) sends nothing more.
    expect((await sweepExports(app.rt, new Date(Date.now() + 120_000))).webhooks).toBe(0);
    expect(hook.received).toHaveLength(2);

    // A run that finished but was never marked nor enqueued (its worker died in between) is caught
    // up by the sweep a minute later: delivered (again: at least once) under the same X-Tandem-Delivery.
    await sqlRows(app, `update exports set webhook_state = null, webhook_attempts = 0 where id = ?`, [exportId]);
    const finishedAt = new Date(row!.finished_at).getTime();
    await app.rt.queues.withQueue('webhooks', (q) => q.remove(exportWebhookJobId({ exportId, finishedAt })));
    expect((await sweepExports(app.rt, new Date(Date.now() + 120_000))).webhooks).toBe(1);
    await vi.waitFor(() => expect(hook.received).toHaveLength(3), { timeout: 30_000, interval: 100 });
    expect(hook.received[2]).toMatchObject({ delivery: hook.received[0]!.delivery, status: 200, body: hook.received[1]!.body });

    // Retried by an admin, the run completes: that outcome is a delivery of its own.
    ensureExportsWorker();
    await app.client(admin.token).export.retry.mutate({ workspaceId: admin.workspaceId, exportId });
    await vi.waitFor(async () => expect((await scheduleOf(admin.token, admin.workspaceId, s.id)).lastDelivery).toMatchObject({ exportId, state: 'delivered' }), { timeout: 30_000, interval: 100 });
    // The receiver answers each delivery's first attempt 503: this one too was retried.
    expect(hook.received.slice(3).map((r) => r.status)).toEqual([503, 200]);
    expect(hook.received[4]!.body).toMatchObject({ type: 'export.completed', exportId, error: null, downloadUrl: expect.any(String) });
    expect(hook.received[4]!.delivery).not.toBe(hook.received[0]!.delivery);
    expect((await scheduleOf(admin.token, admin.workspaceId, s.id)).lastDelivery).toMatchObject({ exportId, state: 'delivered', attempts: 2 });
  });

  it('a run that completes POSTs export.completed exactly once, with a signed link to the file', async () => {
    ensureExportsWorker();
    const admin = await app.signUp('Completed runs');
    const hook = await receiver([]);
    const s = await app.client(admin.token).export.schedule.mutate({
      workspaceId: admin.workspaceId, kind: 'audit', format: 'csv', cron: '0 3 1 1 *', timezone: 'Europe/Berlin', webhookUrl: hook.url,
    });
    expect(await app.client(admin.token).export.schedules.query({ workspaceId: admin.workspaceId })).toMatchObject([{ id: s.id, webhookUrl: hook.url, lastDelivery: null }]);
    const exportId = await runNow(s.id);

    await vi.waitFor(async () => expect((await scheduleOf(admin.token, admin.workspaceId, s.id)).lastDelivery).toMatchObject({ state: 'delivered' }), { timeout: 30_000, interval: 100 });
    const done = await app.client(admin.token).export.get.query({ workspaceId: admin.workspaceId, exportId });
    expect(done).toMatchObject({ status: 'completed', scheduleId: s.id });
    expect(hook.received).toHaveLength(1);
    const { body, delivery } = hook.received[0]!;
    expect(body).toEqual({
      type: 'export.completed', workspaceId: admin.workspaceId, scheduleId: s.id, exportId, kind: 'audit', format: 'csv',
      rows: done.rows, bytes: done.bytes, downloadUrl: expect.stringMatching(new RegExp(`^/api/v1/exports/${exportId}/download\\?expires=\\d+&sig=`)),
      error: null, finishedAt: new Date(done.finishedAt!).toISOString(),
    });
    expect(done.rows).toBeGreaterThanOrEqual(1); // the schedule's own audit entry at least
    expect(delivery).toBe(`${admin.workspaceId}:export:${exportId}:${done.finishedAt}`);
    // The link works for whoever holds it (no token), as export.get's does.
    const file = await fetch(`${app.url}${body.downloadUrl}`);
    expect(file.status).toBe(200);
    expect((await file.text()).split('\r\n')[0]).toMatch(/^[a-z_]+(,[a-z_]+)+$/);
    expect((await scheduleOf(admin.token, admin.workspaceId, s.id)).lastDelivery).toMatchObject({ exportId, state: 'delivered', attempts: 1, error: null });

    // The sweep's catch-up adds nothing, and a second job for the same outcome finds it delivered: nothing more is sent.
    expect((await sweepExports(app.rt, new Date(Date.now() + 120_000))).webhooks).toBe(0);
    await app.rt.queues.add('export.webhook', { workspaceId: admin.workspaceId, exportId, finishedAt: done.finishedAt! });
    await vi.waitFor(async () => {
      const counts = await app.rt.queues.withQueue('webhooks', (q) => q.getJobCounts('active', 'wait', 'delayed'));
      expect((counts.active ?? 0) + (counts.wait ?? 0) + (counts.delayed ?? 0)).toBe(0);
    }, { timeout: 30_000, interval: 100 });
    expect(hook.received).toHaveLength(1);
  });

  it('a delivery whose last attempt fails shows the status in the list; runs of a schedule without a webhook send nothing', async () => {
    // Deliveries by hand here (the last attempt), so the webhooks worker stops first.
    await Promise.all(workers.splice(0).map((w) => w.close(5000)));
    exportsWorker = null;
    ensureExportsWorker();
    const admin = await app.signUp('Refusing receiver');
    const hook = await receiver([], 500);
    const c = app.client(admin.token).export;
    const base = { workspaceId: admin.workspaceId, kind: 'audit', format: 'json', cron: '0 3 1 1 *', timezone: 'UTC' } as const;
    const s = await c.schedule.mutate({ ...base, webhookUrl: hook.url });
    const quiet = await c.schedule.mutate(base);
    const [loud, silent] = [await runNow(s.id), await runNow(quiet.id)];
    await vi.waitFor(async () => {
      const rows = await sqlRows<{ id: string; status: string; webhook_state: string | null }>(app, `select id, status, webhook_state from exports where id in (?, ?) order by id = ? desc`, [loud, silent, loud]);
      expect(rows.map((r) => [r.status, r.webhook_state])).toEqual([['completed', 'pending'], ['completed', null]]);
    }, { timeout: 30_000, interval: 100 });

    const [row] = await sqlRows<{ finished_at: Date }>(app, `select finished_at from exports where id = ?`, [loud]);
    const target = { workspaceId: admin.workspaceId, exportId: loud, finishedAt: new Date(row!.finished_at).getTime() };
    // With PUBLIC_URL set, the receiver gets an absolute link on it.
    await expect(deliverExportWebhook(app.rt.orm.em.fork(), await exportLinks(app.rt.config), target, { number: 6, final: true }, { allowPrivate: true, publicUrl: 'https://tandem.example.com/' }))
      .rejects.toThrow(/answered 500/);
    expect(hook.received.map((r) => [r.body.exportId, r.status])).toEqual([[loud, 500]]);
    expect(hook.received[0]!.body.downloadUrl).toMatch(new RegExp(`^https://tandem\\.example\\.com/api/v1/exports/${loud}/download\\?expires=\\d+&sig=`));
    const listed = await c.schedules.query({ workspaceId: admin.workspaceId });
    expect(listed.find((x) => x.id === s.id)!.lastDelivery).toMatchObject({ exportId: loud, state: 'failed', attempts: 6, error: 'delivery failed (status 500)' });
    expect(listed.find((x) => x.id === quiet.id)!.lastDelivery).toBeNull();
    // Settled: the job still queued for it finds nothing pending.
    expect(await deliverExportWebhook(app.rt.orm.em.fork(), await exportLinks(app.rt.config), target, { number: 1, final: false }, { allowPrivate: true }))
      .toEqual({ delivered: false, skipped: 'state failed' });
    expect(hook.received).toHaveLength(1);
  });
});
