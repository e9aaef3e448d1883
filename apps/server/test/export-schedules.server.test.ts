// Scheduled exports (issue 9 item 4): cron + time zone validated with the next runs answered, DST,
// each due time run once by two workers, and the schedule surviving a restart of every worker.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { Queues, createExportSchedule, nextRuns } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import { makeProcessor } from '@tandem/worker';
import { codeOf, errorOf, sqlRows, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();

describe('next run times', () => {
  it('follow the time zone across a daylight-saving change (Europe/Berlin, 29 March 2026)', () => {
    const runs = nextRuns('0 9 * * *', 'Europe/Berlin', 3, new Date('2026-03-27T12:00:00Z')).map((d) => d.toISOString());
    // 09:00 in Berlin is 08:00 UTC before the change (CET) and 07:00 UTC after it (CEST).
    expect(runs).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
  });

  it('and back in autumn (America/New_York, 1 November 2026)', () => {
    const runs = nextRuns('30 6 * * *', 'America/New_York', 2, new Date('2026-10-31T00:00:00Z')).map((d) => d.toISOString());
    expect(runs).toEqual(['2026-10-31T10:30:00.000Z', '2026-11-01T11:30:00.000Z']);
  });
});

describe.each(modes)('scheduled exports (%s)', (mode) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<TestApp['signUp']>>;
  const workers: Queues[] = [];

  /** A worker process's queue side: its own connections, the processor of every job. */
  function startWorker(): Queues {
    const q = new Queues(app.rt.queues.target, pino({ level: 'silent' }));
    q.startWorker('exports', makeProcessor(app.rt));
    workers.push(q);
    return q;
  }
  const exportsOf = (scheduleId: string) =>
    sqlRows<{ id: string }>(app, `select id from exports where schedule_id = ? order by created_at`, [scheduleId]);

  beforeAll(async () => {
    // No built-in workers: the test starts and stops its own.
    app = await startTestApp(mode, {}, { workers: false });
    admin = await app.signUp('Scheduler');
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close(1000)));
    await app?.close();
  });

  it('export.schedule validates cron and zone, answers the next five runs; list, pause, resume and unschedule', async () => {
    const c = app.client(admin.token).export;
    const ws = admin.workspaceId;
    const base = { workspaceId: ws, kind: 'audit', format: 'csv' } as const;
    expect(await errorOf(c.schedule.mutate({ ...base, cron: 'every day', timezone: 'UTC' }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { cron: [expect.any(String)] } });
    expect(await errorOf(c.schedule.mutate({ ...base, cron: '* * * * * *', timezone: 'UTC' }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(c.schedule.mutate({ ...base, cron: '0 9 * * *', timezone: 'Mars/Olympus' }))).toMatchObject({ code: 'BAD_REQUEST', fieldErrors: { timezone: [expect.any(String)] } });

    const s = await c.schedule.mutate({ ...base, cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' });
    expect(s.nextRuns).toHaveLength(5);
    for (const at of s.nextRuns) {
      const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', weekday: 'short' }).format(at);
      expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    }
    const scheduler = await app.rt.queues.withQueue('exports', (q) => q.getJobScheduler(`export-schedule-${s.id}`));
    expect(scheduler).toMatchObject({ pattern: '0 9 * * 1-5', tz: 'Europe/Berlin' });

    expect((await c.schedules.query({ workspaceId: ws })).map((x) => [x.id, x.paused, x.lastRunAt])).toEqual([[s.id, false, null]]);
    expect(await c.pauseSchedule.mutate({ workspaceId: ws, scheduleId: s.id })).toMatchObject({ paused: true, nextRuns: [] });
    expect(await app.rt.queues.withQueue('exports', (q) => q.getJobScheduler(`export-schedule-${s.id}`))).toBeFalsy();
    expect((await c.resumeSchedule.mutate({ workspaceId: ws, scheduleId: s.id })).nextRuns).toHaveLength(5);
    expect(await app.rt.queues.withQueue('exports', (q) => q.getJobScheduler(`export-schedule-${s.id}`))).toBeTruthy();
    await c.unschedule.mutate({ workspaceId: ws, scheduleId: s.id });
    expect(await c.schedules.query({ workspaceId: ws })).toEqual([]);
    expect(await app.rt.queues.withQueue('exports', (q) => q.getJobScheduler(`export-schedule-${s.id}`))).toBeFalsy();
    expect(await codeOf(c.pauseSchedule.mutate({ workspaceId: ws, scheduleId: s.id }))).toBe('NOT_FOUND');
    const actions = (await app.client(admin.token).audit.list.query({ workspaceId: ws, action: 'export.schedule.' })).items.map((i) => i.action);
    expect(actions).toEqual(['export.schedule.remove', 'export.schedule.resume', 'export.schedule.pause', 'export.schedule.create']);
  });

  it('two workers run each due time exactly once, and the schedule survives a restart of every worker', async () => {
    startWorker();
    startWorker();
    // Every second (tests only; users schedule by the minute), so three due times pass in seconds.
    const s = await createExportSchedule({ em: app.rt.orm.em.fork(), queues: app.rt.queues },
      { workspaceId: admin.workspaceId, actorId: admin.userId, cron: '* * * * * *', timezone: 'UTC', spec: { kind: 'audit', format: 'csv' } },
      { allowSeconds: true });
    await vi.waitFor(async () => expect((await exportsOf(s.id)).length).toBeGreaterThanOrEqual(3), { timeout: 30_000, interval: 100 });

    // Every worker stops; the schedule lives in the queue, not in a process.
    await Promise.all(workers.splice(0).map((w) => w.close(5000)));
    const before = (await exportsOf(s.id)).length;
    startWorker();
    startWorker();
    await vi.waitFor(async () => expect((await exportsOf(s.id)).length).toBeGreaterThanOrEqual(before + 3), { timeout: 30_000, interval: 100 });

    await app.rt.queues.withQueue('exports', (q) => q.removeJobScheduler(`export-schedule-${s.id}`));
    await vi.waitFor(async () => {
      const active = await app.rt.queues.withQueue('exports', (q) => q.getJobCounts('active', 'wait'));
      expect((active.active ?? 0) + (active.wait ?? 0)).toBe(0);
    }, { timeout: 30_000, interval: 100 });
    // One export per due time: the runs' jobs (one per due time, ids carry the time) each made
    // their own export, and no export was made twice.
    const jobs = (await app.rt.queues.withQueue('exports', (q) => q.getJobs(['completed'], 0, -1)))
      .filter((j) => j.name === 'export.scheduled' && (j.data as { scheduleId: string }).scheduleId === s.id);
    const made = jobs.map((j) => (j.returnvalue as { exportId?: string }).exportId).filter(Boolean);
    const rows = (await exportsOf(s.id)).map((r) => r.id);
    expect(new Set(made).size).toBe(made.length);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect([...made].sort()).toEqual([...rows].sort());
    const [last] = await sqlRows<{ last_export_id: string }>(app, `select last_export_id from export_schedules where id = ?`, [s.id]);
    expect(rows).toContain(last!.last_export_id);
  }, 120_000);
});
