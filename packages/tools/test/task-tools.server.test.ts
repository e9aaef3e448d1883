// The task tools act for the asker (ctx.userId in ctx.workspaceId) and nobody else: arguments
// cannot pick another owner or workspace, titles resolve among the asker's own tasks only, an
// ambiguous title answers with candidates and changes nothing, and viewers have no tasks.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { availableModes, createTestRuntime, insertTestWorkspace, type TestRuntime } from '@tandem/core/testing';
import type { Task, TaskEvent } from '@tandem/schema';
import { runTool, toolResultSchema, type ToolContext, type ToolResult } from '../src/index.ts';

const modes = await availableModes();

async function ok(name: string, args: unknown, ctx: ToolContext): Promise<ToolResult> {
  const run = await runTool(name, args, ctx);
  if (!run.ok) throw new Error(run.error);
  expect(toolResultSchema.safeParse(run.result).success).toBe(true);
  return run.result;
}
async function failure(name: string, args: unknown, ctx: ToolContext): Promise<string> {
  const run = await runTool(name, args, ctx);
  if (run.ok) throw new Error(`${name} succeeded: ${run.result.summary}`);
  return run.error;
}

describe.each(modes)('task tools (%s)', (mode) => {
  let rt: TestRuntime;
  let em: EntityManager;
  let wsA: string;
  let wsB: string;
  const sql = <T>(q: string, params: unknown[] = []) => em.execute<T[]>(q, params);

  async function user(workspaceId: string, role: 'admin' | 'member' | 'viewer'): Promise<string> {
    const id = randomUUID();
    await sql(`insert into users (id, email, name, password_hash, created_at) values (?, ?, 'U', 'x', now())`, [id, `${id}@example.com`]);
    await sql(`insert into memberships (id, workspace_id, user_id, role, created_at) values (?, ?, ?, ?, now())`, [randomUUID(), workspaceId, id, role]);
    return id;
  }
  const ctxOf = (workspaceId: string, userId: string): ToolContext => ({ em: rt.orm.em.fork(), workspaceId, userId, bus: rt.bus });
  const titlesOf = async (workspaceId: string, ownerId: string) =>
    (await sql<{ title: string }>(`select title from tasks where workspace_id = ? and owner_id = ? order by title`, [workspaceId, ownerId])).map((r) => r.title);

  beforeAll(async () => {
    rt = await createTestRuntime(mode);
    em = rt.orm.em.fork();
    wsA = await insertTestWorkspace(em, 'A');
    wsB = await insertTestWorkspace(em, 'B');
  });
  afterAll(() => rt?.close());

  it('creates, lists, renames, completes and deletes the asker’s tasks, and wakes their Tasks page', async () => {
    const asker = await user(wsA, 'member');
    const ctx = ctxOf(wsA, asker);
    const events: TaskEvent[] = [];
    const unsubscribe = await rt.bus.subscribe(`tasks:${wsA}:${asker}`, (m) => events.push(m as TaskEvent));

    const created = await ok('create_task', { title: 'Call Ana', due: '2026-12-24' }, ctx);
    const task = (created.data as { task: Task }).task;
    expect(task).toMatchObject({ title: 'Call Ana', dueAt: '2026-12-24T00:00:00.000Z', completed: false });
    expect(created.summary).toBe('Added "Call Ana", due 2026-12-24 to your tasks.');
    await vi.waitFor(() => expect(events).toEqual([{ type: 'task.changed', task }]));
    unsubscribe();

    await ok('create_task', { title: 'Renew the domain' }, ctx);
    const open = await ok('list_tasks', {}, ctx);
    expect((open.data as { tasks: Task[] }).tasks.map((t) => t.title)).toEqual(['Renew the domain', 'Call Ana']);
    expect(open.summary).toContain('You have 2 open tasks:');

    expect((await ok('update_task', { task: 'call ana', title: 'Call Ana and Bo' }, ctx)).summary).toBe('Updated "Call Ana", due 2026-12-24: now "Call Ana and Bo", due 2026-12-24.');
    expect((await ok('toggle_task_completion', { task: 'domain', completed: true }, ctx)).summary).toBe('Marked "Renew the domain" as done.');
    expect(((await ok('list_tasks', { filter: 'done' }, ctx)).data as { tasks: Task[] }).tasks.map((t) => t.title)).toEqual(['Renew the domain']);
    expect((await ok('delete_task', { task: task.id }, ctx)).summary).toBe('Deleted "Call Ana and Bo", due 2026-12-24.');
    expect(await titlesOf(wsA, asker)).toEqual(['Renew the domain']);
  });

  it('acts for the asker only: arguments naming another owner or workspace are ignored', async () => {
    const asker = await user(wsA, 'member');
    const other = await user(wsA, 'member');
    await ok('create_task', { title: 'Their secret', notes: 'x' }, ctxOf(wsA, other));
    // A model (or a prompt injected into a title) adding ids cannot redirect the call.
    await ok('create_task', { title: 'Mine', userId: other, ownerId: other, workspaceId: wsB }, ctxOf(wsA, asker));
    expect(await titlesOf(wsA, asker)).toEqual(['Mine']);
    expect(await titlesOf(wsA, other)).toEqual(['Their secret']);
    expect(await titlesOf(wsB, asker)).toEqual([]);

    // Another member's task is not found by title or by id, and stays as it was.
    expect(await failure('delete_task', { task: 'Their secret' }, ctxOf(wsA, asker))).toBe('delete_task failed: No task of yours matches "Their secret"');
    const [theirs] = await sql<{ id: string }>(`select id from tasks where owner_id = ?`, [other]);
    expect(await failure('toggle_task_completion', { task: theirs!.id }, ctxOf(wsA, asker))).toBe('toggle_task_completion failed: No such task');
    expect(await failure('update_task', { task: theirs!.id, title: 'pwned' }, ctxOf(wsA, asker))).toBe('update_task failed: No such task');
    expect(((await ok('list_tasks', { filter: 'all' }, ctxOf(wsA, asker))).data as { tasks: Task[] }).tasks.map((t) => t.title)).toEqual(['Mine']);
    expect(await titlesOf(wsA, other)).toEqual(['Their secret']);
  });

  it('another workspace: the same person’s tasks there are out of reach, and a non-member is NOT_FOUND', async () => {
    const asker = await user(wsA, 'member');
    await sql(`insert into memberships (id, workspace_id, user_id, role, created_at) values (?, ?, ?, 'member', now())`, [randomUUID(), wsB, asker]);
    await ok('create_task', { title: 'Only in A' }, ctxOf(wsA, asker));
    expect(await failure('delete_task', { task: 'Only in A' }, ctxOf(wsB, asker))).toBe('delete_task failed: No task of yours matches "Only in A"');
    const stranger = await user(wsB, 'member');
    expect(await failure('list_tasks', {}, ctxOf(wsA, stranger))).toBe('list_tasks failed: Not found');
    expect(await titlesOf(wsA, asker)).toEqual(['Only in A']);
  });

  it('an ambiguous title answers with the candidates and changes nothing; an exact title wins', async () => {
    const asker = await user(wsA, 'member');
    const ctx = ctxOf(wsA, asker);
    for (const title of ['Sales report', 'Cost report', 'Report']) await ok('create_task', { title }, ctx);
    const answer = await ok('delete_task', { task: 'report' }, ctx);
    // "report" is exactly one title: that one.
    expect((answer.data as { task: Task }).task.title).toBe('Report');
    const ambiguous = await ok('toggle_task_completion', { task: 'report', completed: true }, ctx);
    expect(ambiguous.data).toMatchObject({ ambiguous: true, query: 'report' });
    expect((ambiguous.data as { candidates: Task[] }).candidates.map((t) => t.title).sort()).toEqual(['Cost report', 'Sales report']);
    expect(ambiguous.summary).toMatch(/^Several of your tasks match "report": 1\. ".+ report" \(id [0-9a-f-]{36}\); 2\./);
    expect((await sql<{ n: number }>(`select count(*)::int as n from tasks where owner_id = ? and completed`, [asker]))[0]!.n).toBe(0);
    // "done" prefers the open one when the other is done already.
    await ok('toggle_task_completion', { task: 'Sales report', completed: true }, ctx);
    expect((await ok('toggle_task_completion', { task: 'report', completed: true }, ctx)).summary).toBe('Marked "Cost report" as done.');
  });

  it('viewers have no tasks: every task tool is refused', async () => {
    const viewer = await user(wsA, 'viewer');
    for (const [name, args] of [['create_task', { title: 'x' }], ['list_tasks', {}], ['delete_task', { task: 'x' }]] as const)
      expect(await failure(name, args, ctxOf(wsA, viewer))).toBe(`${name} failed: Tasks need the member role; you are a viewer in this workspace`);
    expect(await titlesOf(wsA, viewer)).toEqual([]);
  });
});
