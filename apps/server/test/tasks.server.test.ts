// task.*: each member's own todo tasks. Another member's or another workspace's task is
// NOT_FOUND, viewers have none, and task.events pushes the owner's changes live.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import type { TaskEvent } from '@tandem/schema';
import { codeOf, errorOf, inviteMember, startTestApp, watchSubscription, type TestApp } from './harness.ts';

const modes = await availableModes();

describe.each(modes)('tasks (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode, {}, { workers: false });
  });
  afterAll(() => app?.close());

  /** A workspace with its admin and one member and one viewer. */
  async function team() {
    const admin = await app.signUp('Owner');
    const member = await app.signUp('Member');
    const viewer = await app.signUp('Viewer');
    const workspaceId = admin.workspaceId;
    await inviteMember(app, admin.token, workspaceId, member, 'member');
    await inviteMember(app, admin.token, workspaceId, viewer, 'viewer');
    return { admin, member, viewer, workspaceId };
  }

  it('creates, lists by filter, updates, toggles and deletes the caller’s tasks', async () => {
    const { admin, workspaceId } = await team();
    const api = app.client(admin.token).task;
    const milk = await api.create.mutate({ workspaceId, title: '  Buy milk ', dueAt: '2026-12-24' });
    expect(milk).toMatchObject({ title: 'Buy milk', notes: '', dueAt: '2026-12-24T00:00:00.000Z', completed: false, completedAt: null });
    const report = await api.create.mutate({ workspaceId, title: 'Send the report', notes: 'to Ana\nby Friday' });

    expect((await api.list.query({ workspaceId })).map((t) => t.title)).toEqual(['Send the report', 'Buy milk']);
    const done = await api.toggle.mutate({ workspaceId, taskId: milk.id });
    expect(done.completed).toBe(true);
    expect(done.completedAt).not.toBeNull();
    expect((await api.list.query({ workspaceId, filter: 'open' })).map((t) => t.id)).toEqual([report.id]);
    expect((await api.list.query({ workspaceId, filter: 'done' })).map((t) => t.id)).toEqual([milk.id]);
    // Open first, then done.
    expect((await api.list.query({ workspaceId })).map((t) => t.id)).toEqual([report.id, milk.id]);

    // Setting "done" again keeps the first completion time; toggling flips back.
    expect((await api.toggle.mutate({ workspaceId, taskId: milk.id, completed: true })).completedAt).toBe(done.completedAt);
    expect(await api.toggle.mutate({ workspaceId, taskId: milk.id })).toMatchObject({ completed: false, completedAt: null });

    const renamed = await api.update.mutate({ workspaceId, taskId: report.id, title: 'Send the Q4 report', dueAt: '2026-12-31T17:00:00+01:00' });
    expect(renamed).toMatchObject({ title: 'Send the Q4 report', notes: 'to Ana\nby Friday', dueAt: '2026-12-31T16:00:00.000Z' });
    expect((await api.update.mutate({ workspaceId, taskId: report.id, dueAt: null })).dueAt).toBeNull();

    expect((await api.delete.mutate({ workspaceId, taskId: report.id })).id).toBe(report.id);
    expect((await api.list.query({ workspaceId })).map((t) => t.id)).toEqual([milk.id]);
    expect(await codeOf(api.delete.mutate({ workspaceId, taskId: report.id }))).toBe('NOT_FOUND');
  });

  it('refuses a blank title and a malformed due date with field errors', async () => {
    const { admin, workspaceId } = await team();
    const blank = await errorOf(app.client(admin.token).task.create.mutate({ workspaceId, title: '   ' }));
    expect(blank.code).toBe('BAD_REQUEST');
    expect(blank.fieldErrors?.title).toEqual(['Title is required']);
    const due = await errorOf(app.client(admin.token).task.create.mutate({ workspaceId, title: 'x', dueAt: 'next tuesday' }));
    expect(due.fieldErrors?.dueAt?.[0]).toMatch(/Due date must be a date/);
  });

  it('another member’s task, or a task of another workspace, is NOT_FOUND and never listed', async () => {
    const { admin, member, workspaceId } = await team();
    const mine = await app.client(admin.token).task.create.mutate({ workspaceId, title: 'Admin only' });
    const theirs = app.client(member.token).task;
    expect(await theirs.list.query({ workspaceId })).toEqual([]);
    expect(await codeOf(theirs.update.mutate({ workspaceId, taskId: mine.id, title: 'hijacked' }))).toBe('NOT_FOUND');
    expect(await codeOf(theirs.toggle.mutate({ workspaceId, taskId: mine.id }))).toBe('NOT_FOUND');
    expect(await codeOf(theirs.delete.mutate({ workspaceId, taskId: mine.id }))).toBe('NOT_FOUND');

    // The same owner in a second workspace: the task is not there either.
    const other = await app.client(admin.token).workspace.create.mutate({ name: 'Elsewhere' });
    expect(await app.client(admin.token).task.list.query({ workspaceId: other.id })).toEqual([]);
    expect(await codeOf(app.client(admin.token).task.toggle.mutate({ workspaceId: other.id, taskId: mine.id }))).toBe('NOT_FOUND');
    // A stranger cannot even name the workspace.
    const stranger = await app.signUp('Stranger');
    expect(await codeOf(app.client(stranger.token).task.list.query({ workspaceId }))).toBe('NOT_FOUND');

    expect(await app.client(admin.token).task.list.query({ workspaceId })).toEqual([expect.objectContaining({ id: mine.id, title: 'Admin only', completed: false })]);
  });

  it('viewers have no tasks: every task procedure is FORBIDDEN', async () => {
    const { viewer, workspaceId } = await team();
    const api = app.client(viewer.token).task;
    expect(await codeOf(api.create.mutate({ workspaceId, title: 'nope' }))).toBe('FORBIDDEN');
    expect(await codeOf(api.list.query({ workspaceId }))).toBe('FORBIDDEN');
  });

  it('task.events pushes the owner’s changes, and only theirs', async () => {
    const { admin, member, workspaceId } = await team();
    const ws = app.wsClient(admin.token);
    const probe = watchSubscription<TaskEvent>((o) => ws.client.task.events.subscribe({ workspaceId }, o));
    await vi.waitFor(() => expect(probe.started).toBe(true));
    await app.client(member.token).task.create.mutate({ workspaceId, title: 'Not for the admin' });
    const task = await app.client(admin.token).task.create.mutate({ workspaceId, title: 'Live one' });
    await app.client(admin.token).task.delete.mutate({ workspaceId, taskId: task.id });
    await vi.waitFor(() => expect(probe.data).toContainEqual({ type: 'task.deleted', taskId: task.id }));
    expect(probe.data).toEqual([{ type: 'task.changed', task }, { type: 'task.deleted', taskId: task.id }]);
    probe.unsubscribe();
    await ws.close();
  });
});
