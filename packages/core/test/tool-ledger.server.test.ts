// docs/reliability.md §1: the tool side-effect ledger. A changing call runs once per run and call
// key; its change and its ledger row commit together; a rolled-back call leaves no trace.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessBus, NotRecorded, PublishAfterCommit, ToolCallKeys, createConversation, registerUser, runOnce, sendMessage } from '../src/index.ts';
import { availableModes, createTestRuntime, type TestRuntime } from '../src/testing/modes.ts';

const modes = await availableModes();

describe('ToolCallKeys', () => {
  it('gives equal arguments in any key order the same key, and counts repeats of the same call', () => {
    const first = new ToolCallKeys();
    const a = first.next('create_task', { title: 'Call Bob', due: '2026-12-03' });
    const b = first.next('create_task', { due: '2026-12-03', title: 'Call Bob' });
    const c = first.next('create_task', { title: 'Call Alice' });
    expect(a.endsWith(':0')).toBe(true);
    expect(b).toBe(a.replace(/:0$/, ':1'));
    expect(c.endsWith(':0')).toBe(true);
    expect(c.split(':')[1]).not.toBe(a.split(':')[1]);
    // A retried attempt starts counting again and meets the same keys in the same order.
    const retry = new ToolCallKeys();
    expect([retry.next('create_task', { title: 'Call Bob', due: '2026-12-03' }), retry.next('create_task', { title: 'Call Bob', due: '2026-12-03' })]).toEqual([a, b]);
    expect(retry.next('delete_task', { title: 'Call Bob', due: '2026-12-03' }).startsWith('delete_task:')).toBe(true);
  });
});

describe.each(modes)('tool side-effect ledger (%s)', (mode) => {
  let rt: TestRuntime;
  let runId: string;
  let workspaceId: string;
  let userId: string;
  beforeAll(async () => {
    rt = await createTestRuntime(mode);
    const user = await registerUser(rt.orm.em.fork(), { email: `ledger-${randomUUID()}@example.com`, password: 'correct horse', name: 'Ledger' });
    userId = user.id;
    [{ workspace_id: workspaceId }] = (await rt.orm.em.fork().execute<{ workspace_id: string }[]>('select workspace_id from memberships where user_id = ?', [userId])) as [{ workspace_id: string }];
    const c = await createConversation(rt.orm.em.fork(), workspaceId, userId);
    ({ runId } = await sendMessage({ em: rt.orm.em.fork(), bus: rt.bus, queues: rt.queues, ratePerHour: 100 }, { conversationId: c.id, content: 'remind me', clientMessageId: randomUUID(), userId, workspaceId }));
  });
  afterAll(() => rt?.close());

  const countTasks = async (title: string) =>
    (await rt.orm.em.fork().execute<{ n: number }[]>('select count(*)::int as n from tasks where workspace_id = ? and title = ?', [workspaceId, title]))[0]!.n;
  const insertTask = (title: string) => async (tx: Parameters<Parameters<typeof runOnce>[3]>[0]) => {
    const [row] = await tx.execute<{ id: string }[]>('insert into tasks (id, workspace_id, owner_id, title) values (?, ?, ?, ?) returning id', [randomUUID(), workspaceId, userId, title]);
    return { ok: true, id: row!.id };
  };

  it('runs a call once: a second attempt with the same key gets the stored outcome and changes nothing', async () => {
    const key = new ToolCallKeys().next('create_task', { title: 'once' });
    const first = await runOnce(rt.orm.em.fork(), runId, key, insertTask('once'));
    const again = await runOnce(rt.orm.em.fork(), runId, key, insertTask('once'));
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ outcome: first.outcome, replayed: true });
    expect(await countTasks('once')).toBe(1);
  });

  it('two attempts racing on one key: one change, both answer with it', async () => {
    const key = new ToolCallKeys().next('create_task', { title: 'race' });
    const [x, y] = await Promise.all([runOnce(rt.orm.em.fork(), runId, key, insertTask('race')), runOnce(rt.orm.em.fork(), runId, key, insertTask('race'))]);
    expect(x.outcome).toEqual(y.outcome);
    expect([x.replayed, y.replayed].sort()).toEqual([false, true]);
    expect(await countTasks('race')).toBe(1);
  });

  it('a call that fails after its change rolls the change back and records nothing; NotRecorded answers without a trace', async () => {
    const keys = new ToolCallKeys();
    const key = keys.next('create_task', { title: 'boom' });
    await expect(runOnce(rt.orm.em.fork(), runId, key, async (tx) => {
      await insertTask('boom')(tx);
      throw new Error('crashed between the change and the ledger');
    })).rejects.toThrow(/crashed/);
    expect(await countTasks('boom')).toBe(0);
    const refused = await runOnce(rt.orm.em.fork(), runId, key, async (tx) => {
      await insertTask('boom')(tx);
      throw new NotRecorded({ ok: false, error: 'ambiguous' });
    });
    expect(refused).toEqual({ outcome: { ok: false, error: 'ambiguous' }, replayed: false });
    expect(await countTasks('boom')).toBe(0);
    // Nothing was recorded, so the call runs for real next time.
    expect((await runOnce(rt.orm.em.fork(), runId, key, insertTask('boom'))).replayed).toBe(false);
    expect(await countTasks('boom')).toBe(1);
  });

  it('holds bus messages until released, and drops them on rollback', async () => {
    const bus = new InProcessBus();
    const seen: unknown[] = [];
    await bus.subscribe('tasks', (m) => void seen.push(m));
    const held = new PublishAfterCommit(bus);
    await held.publish('tasks', { n: 1 });
    expect(seen).toEqual([]);
    await held.release();
    expect(seen).toEqual([{ n: 1 }]);
    await held.publish('tasks', { n: 2 });
    held.drop();
    await held.release();
    expect(seen).toEqual([{ n: 1 }]);
    await bus.close();
  });
});
