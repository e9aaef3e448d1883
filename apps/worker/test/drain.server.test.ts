// docs/reliability.md §3: SIGTERM with a running job drains for a bounded time, then hands the job back
// to the queue (never left active, no attempt spent), and another worker finishes it once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { Queues } from '@tandem/core';
import { availableModes, createTestRuntime, type TestRuntime } from '@tandem/core/testing';
import { startWorkers } from '../src/worker.ts';
import { makeProcessor } from '../src/processors.ts';

const modes = await availableModes();

describe.each(modes)('worker drain (%s)', (mode) => {
  let rt: TestRuntime | undefined;
  let inspector: Queues | undefined;
  afterEach(async () => {
    await inspector?.close(0);
    await rt?.close();
  });

  it('a job that finishes within the drain timeout completes', async () => {
    rt = await createTestRuntime(mode);
    startWorkers(rt);
    const job = await rt.queues.add('ping', { nonce: 'quick', workMs: 300 });
    await vi.waitFor(async () => expect(await job.getState()).toBe('active'), { timeout: 10_000 });
    await rt.queues.close(10_000);
    inspector = new Queues(rt.queues.target, pino({ level: 'silent' }));
    const after = await inspector.queue('system').getJob(job.id!);
    expect(after?.returnvalue).toMatchObject({ pong: 'quick' });
  });

  it('a job still running at the timeout is handed back, then completed exactly once elsewhere', async () => {
    rt = await createTestRuntime(mode);
    startWorkers(rt);
    const job = await rt.queues.add('ping', { nonce: 'slow', workMs: 30_000 });
    await vi.waitFor(async () => expect(await job.getState()).toBe('active'), { timeout: 10_000 });

    await rt.queues.close(200); // resolves: the drain is bounded

    inspector = new Queues(rt.queues.target, pino({ level: 'silent' }));
    const queue = inspector.queue('system');
    const handedBack = await queue.getJob(job.id!);
    expect(await handedBack!.getState()).toBe('waiting');
    expect(handedBack!.attemptsMade).toBe(0);
    expect(handedBack!.failedReason ?? '').toBe('');

    // A fresh worker (another process in production) picks it up and finishes it.
    await handedBack!.updateData({ nonce: 'slow', workMs: 0 });
    let runs = 0;
    const processor = makeProcessor({ ...rt, queues: inspector });
    inspector.startWorker('system', async (j, token) => {
      runs++;
      return processor(j, token);
    });
    await vi.waitFor(async () => expect(await queue.getJob(job.id!).then((j) => j?.finishedOn)).toBeTruthy(), { timeout: 15_000 });
    expect((await queue.getJob(job.id!))!.returnvalue).toMatchObject({ pong: 'slow' });
    expect(runs).toBe(1);
  });
});
