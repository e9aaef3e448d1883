// docs/reliability.md §2: a worker loses its job lock while still running the job; its next write
// and everything after it are refused, and exactly one finalisation commits.
import { randomUUID } from 'node:crypto';
import type { Job, Worker } from 'bullmq';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appendRunOutput, createConversation, finishRun, readEvents, registerUser, sendMessage, startRun } from '@tandem/core';
import { availableModes, createTestRuntime, type TestRuntime } from '@tandem/core/testing';
import type { ConversationEvent } from '@tandem/schema';
import { seedDemoSales } from '@tandem/tools';
import { makeProcessor } from '../src/processors.ts';

const modes = await availableModes();
const QUESTION = 'Which items are low on stock?';

type Attempt = { startedAt: number; endedAt?: number; outcome?: unknown };

describe.each(modes)('lock lost while the first worker still runs (%s)', (mode) => {
  let rt: TestRuntime | undefined;
  afterEach(async () => {
    await rt?.close();
    rt = undefined;
  });

  // The first worker's lock renewal is switched off, as when its event loop stalls past the lock.
  // BullMQ hands the job to a second worker, which restarts the reply; the first keeps going until
  // its next write. The stored reply is the second attempt's answer alone.
  it('one finalisation commits; the worker that lost its lock writes nothing after it lost', async () => {
    // Stall checks every 500 ms; a reply of a few seconds outlives the first worker's 500 ms lock.
    rt = await createTestRuntime(mode, { JOB_LOCK_MS: '500', OFFLINE_WORD_DELAY_MS: '60' });
    /** Healthy workers hold long locks, so a busy test machine cannot make them lose theirs too. */
    const healthy = { lockDuration: 15_000 };
    const app = rt;
    const user = await registerUser(app.orm.em.fork(), { email: `lock-${randomUUID()}@example.com`, password: 'correct horse', name: 'Lock' });
    const [{ workspace_id: workspaceId }] = (await app.orm.em.fork().execute<{ workspace_id: string }[]>(
      'select workspace_id from memberships where user_id = ?', [user.id])) as [{ workspace_id: string }];
    await seedDemoSales(app.orm.em.fork(), workspaceId, { months: 6, now: new Date('2026-11-01T00:00:00Z') });
    const ask = async () => {
      const c = await createConversation(app.orm.em.fork(), workspaceId, user.id);
      const sent = await sendMessage(
        { em: app.orm.em.fork(), bus: app.bus, queues: app.queues, ratePerHour: 100 },
        { conversationId: c.id, content: QUESTION, clientMessageId: randomUUID(), userId: user.id, workspaceId },
      );
      return { conversationId: c.id, runId: sent.runId };
    };
    const events = async (conversationId: string) =>
      (await readEvents(app.orm.em.fork(), conversationId, 0, 10_000)).map((e) => e.event);
    const reply = async (conversationId: string) => {
      const [m] = await app.orm.em.fork().execute<{ content: string; status: string }[]>(
        `select content, status from messages where conversation_id = ? and role = 'assistant'`, [conversationId]);
      return m;
    };
    const processor = makeProcessor(app);
    const tracked = (attempts: Attempt[]) => async (job: Job, token?: string) => {
      const a: Attempt = { startedAt: Date.now() };
      attempts.push(a);
      try {
        a.outcome = await processor(job, token);
        return a.outcome;
      } catch (err) {
        a.outcome = err;
        throw err;
      } finally {
        a.endedAt = Date.now();
      }
    };

    // What one undisturbed run answers, for comparison.
    const reference = await ask();
    const plain = app.queues.startWorker('assistant', processor, healthy);
    await vi.waitFor(async () => expect((await reply(reference.conversationId))?.status).toBe('complete'), { timeout: 30_000, interval: 100 });
    const want = (await reply(reference.conversationId))!.content;
    await plain.close();

    // The first worker never renews its lock; one job at a time, so it cannot take the job back.
    const first: Attempt[] = [];
    const second: Attempt[] = [];
    const stale: Worker = app.queues.startWorker('assistant', tracked(first), { skipLockRenewal: true, concurrency: 1 });
    const { conversationId } = await ask();
    await vi.waitFor(async () => expect((await events(conversationId)).filter((e) => e.type === 'message.delta').length).toBeGreaterThan(1), { timeout: 20_000, interval: 50 });
    const fresh = app.queues.startWorker('assistant', tracked(second), healthy);

    await vi.waitFor(() => expect(first[0]?.endedAt).toBeDefined(), { timeout: 30_000, interval: 100 });
    await vi.waitFor(() => expect(second[0]?.endedAt).toBeDefined(), { timeout: 30_000, interval: 100 });
    // The race happened: the second attempt began while the first was still running.
    expect(first).toHaveLength(1);
    expect(second[0]!.startedAt).toBeLessThan(first[0]!.endedAt!);

    const all: ConversationEvent[] = await events(conversationId);
    const types = (t: string) => all.filter((e) => e.type === t);
    expect(types('message.completed')).toHaveLength(1);
    expect(all.filter((e) => e.type === 'run.status' && e.status !== 'queued' && e.status !== 'running').map((e) => (e as { status: string }).status)).toEqual(['completed']);
    expect(all.filter((e) => e.type === 'message.created' && e.message.role === 'assistant')).toHaveLength(1);
    // After the second attempt restarted the reply, only its own text was written.
    const restart = all.findIndex((e) => e.type === 'message.delta' && e.replace === true);
    expect(restart).toBeGreaterThan(0);
    const afterRestart = all.slice(restart).flatMap((e) => (e.type === 'message.delta' ? [e.text] : [])).join('');
    expect(afterRestart).toBe(want);
    expect(await reply(conversationId)).toEqual({ content: want, status: 'complete' });
    expect((types('message.completed')[0] as Extract<ConversationEvent, { type: 'message.completed' }>).content).toBe(want);
    // Tool calls after the restart are the second attempt's alone: one started, one finished.
    expect(all.slice(restart).filter((e) => e.type.startsWith('tool.')).map((e) => e.type)).toEqual(['tool.started', 'tool.finished']);
    await Promise.all([stale.close(), fresh.close()]);
  });

  it('refuses every write of an older attempt, its last flush and its finalisation included', async () => {
    rt = await createTestRuntime(mode);
    const app = rt;
    const user = await registerUser(app.orm.em.fork(), { email: `fence-${randomUUID()}@example.com`, password: 'correct horse', name: 'Fence' });
    const [{ workspace_id: workspaceId }] = (await app.orm.em.fork().execute<{ workspace_id: string }[]>(
      'select workspace_id from memberships where user_id = ?', [user.id])) as [{ workspace_id: string }];
    const c = await createConversation(app.orm.em.fork(), workspaceId, user.id);
    const { runId } = await sendMessage(
      { em: app.orm.em.fork(), bus: app.bus, queues: app.queues, ratePerHour: 100 },
      { conversationId: c.id, content: QUESTION, clientMessageId: randomUUID(), userId: user.id, workspaceId },
    );
    const deps = () => ({ em: app.orm.em.fork(), bus: app.bus });
    const old = await startRun(deps(), runId);
    const current = await startRun(deps(), runId); // the job ran again after the first lost its lock
    if (old.state !== 'started' || current.state !== 'started') throw new Error('both attempts should start');
    expect([old.run.attempt, current.run.attempt]).toEqual([1, 2]);

    expect(await appendRunOutput(deps(), old.run, old.replyMessageId, 'stale text')).toBe(false);
    expect(await finishRun(deps(), runId, { status: 'completed' }, old.run)).toBe(false);
    expect(await appendRunOutput(deps(), current.run, current.replyMessageId, 'fresh text')).toBe(true);
    expect(await finishRun(deps(), runId, { status: 'completed' }, current.run)).toBe(true);

    const [reply] = await app.orm.em.fork().execute<{ content: string; status: string }[]>(
      `select content, status from messages where conversation_id = ? and role = 'assistant'`, [c.id]);
    expect(reply).toEqual({ content: 'fresh text', status: 'complete' });
    const completions = (await readEvents(app.orm.em.fork(), c.id, 0)).filter((e) => e.event.type === 'message.completed');
    expect(completions).toHaveLength(1);
  });
});
