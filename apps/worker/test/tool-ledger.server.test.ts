// docs/reliability.md §1: a run retried after its worker died (status left 'running', the job run
// again) repeats its tool calls, but a tool that changes things does not change them twice.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConversation, readEvents, registerUser, runJobId, sendMessage } from '@tandem/core';
import { availableModes, createTestRuntime, type TestRuntime } from '@tandem/core/testing';
import type { Worker } from 'bullmq';
import { makeProcessor } from '../src/processors.ts';

const modes = await availableModes();

describe.each(modes)('tool side effects of a retried run (%s)', (mode) => {
  let rt: TestRuntime;
  let worker: Worker;
  let workspaceId: string;
  let userId: string;
  beforeAll(async () => {
    rt = await createTestRuntime(mode);
    const user = await registerUser(rt.orm.em.fork(), { email: `retry-${randomUUID()}@example.com`, password: 'correct horse', name: 'Retry' });
    userId = user.id;
    [{ workspace_id: workspaceId }] = (await rt.orm.em.fork().execute<{ workspace_id: string }[]>('select workspace_id from memberships where user_id = ?', [userId])) as [{ workspace_id: string }];
    worker = rt.queues.startWorker('assistant', makeProcessor(rt));
  });
  afterAll(async () => {
    await worker?.close();
    await rt?.close();
  });

  const ask = async (content: string) => {
    const c = await createConversation(rt.orm.em.fork(), workspaceId, userId);
    const { runId } = await sendMessage({ em: rt.orm.em.fork(), bus: rt.bus, queues: rt.queues, ratePerHour: 100 }, { conversationId: c.id, content, clientMessageId: randomUUID(), userId, workspaceId });
    return { conversationId: c.id, runId };
  };
  const runStatus = async (runId: string) =>
    (await rt.orm.em.fork().execute<{ status: string; attempt: number }[]>('select status, attempt from runs where id = ?', [runId]))[0]!;
  const tasksTitled = async (title: string) =>
    rt.orm.em.fork().execute<{ id: string }[]>('select id from tasks where workspace_id = ? and owner_id = ? and title = ?', [workspaceId, userId, title]);
  const createdTaskIds = async (conversationId: string) =>
    (await readEvents(rt.orm.em.fork(), conversationId, 0, 10_000)).flatMap(({ event: e }) =>
      (e.type === 'tool.finished' && e.name === 'create_task' ? [(e.result as { task?: { id?: string } } | undefined)?.task?.id] : []));

  it('creates the task once when the run is run again after a crash, and both attempts report that one task', async () => {
    const { conversationId, runId } = await ask('remind me to call Bob about the invoice');
    await vi.waitFor(async () => expect((await runStatus(runId)).status).toBe('completed'), { timeout: 30_000, interval: 100 });
    expect(await tasksTitled('Call Bob about the invoice')).toHaveLength(1);

    // As a worker killed after the tool's commit leaves it: the run still 'running', its job run again.
    await rt.orm.em.fork().execute(`update runs set status = 'running', finished_at = null where id = ?`, [runId]);
    expect(await rt.queues.ensureJob('assistant.run', { runId }, runJobId(runId))).toBe('retried');
    await vi.waitFor(async () => expect(await runStatus(runId)).toMatchObject({ status: 'completed', attempt: 2 }), { timeout: 30_000, interval: 100 });

    const tasks = await tasksTitled('Call Bob about the invoice');
    expect(tasks).toHaveLength(1);
    const reported = await createdTaskIds(conversationId);
    expect(reported).toEqual([tasks[0]!.id, tasks[0]!.id]);
  });

  it('another question asking the same thing creates its own task: the ledger is per run', async () => {
    const { runId } = await ask('remind me to water the plants');
    await vi.waitFor(async () => expect((await runStatus(runId)).status).toBe('completed'), { timeout: 30_000, interval: 100 });
    const again = await ask('remind me to water the plants');
    await vi.waitFor(async () => expect((await runStatus(again.runId)).status).toBe('completed'), { timeout: 30_000, interval: 100 });
    expect(await tasksTitled('Water the plants')).toHaveLength(2);
  });
});
