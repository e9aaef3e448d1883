// The periodic metric jobs run from BullMQ job schedulers on both queue backends: one scheduler per
// job however often registered, and a worker runs them without anyone enqueueing.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jobDefinitions, schedules, upsertSchedules } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import { sqlRows, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();

// Backends: Redis, and the PostgreSQL backend of embedded mode.
describe.each(modes)('metric job schedules (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode);
  });
  afterAll(() => app?.close());

  it('one scheduler per periodic job however often registered; the worker runs the rollup and partition jobs', async () => {
    await upsertSchedules(app.rt.queues);
    await upsertSchedules(app.rt.queues);
    const queue = app.rt.queues.queue(jobDefinitions['metrics.rollup'].queue);
    const registered = await queue.getJobSchedulers();
    expect(registered.map((s) => s.key).sort()).toEqual(schedules.map((s) => s.job).sort());
    expect(registered.find((s) => s.key === 'metrics.rollup')?.every).toBe(30_000);

    // metrics.rollup records each run in metric_rollup_progress.
    await vi.waitFor(async () => expect(await sqlRows(app, 'select rolled_until from metric_rollup_progress')).toHaveLength(1), { timeout: 30_000, interval: 200 });
    await vi.waitFor(async () => {
      const done = await queue.getJobs(['completed']);
      expect(done.map((j) => j.name)).toEqual(expect.arrayContaining(['metrics.rollup', 'metrics.partitions', 'metrics.retention']));
    }, { timeout: 30_000, interval: 200 });
  });
});
