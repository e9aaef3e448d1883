// conversation.delete: its creator or an admin removes it with its messages, events and runs, for
// everyone and live; audited; another member cannot.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import { codeOf, inviteMember, sqlRows, startTestApp, watchSubscription, type TestApp } from './harness.ts';

const modes = await availableModes();

describe.each(modes)('conversation.delete (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode);
  });
  afterAll(() => app?.close());

  const rowsOf = async (conversationId: string) => {
    const [row] = await sqlRows<{ c: number; m: number; e: number; r: number }>(app,
      `select (select count(*)::int from conversations where id = ?) as c, (select count(*)::int from messages where conversation_id = ?) as m,
              (select count(*)::int from conversation_events where conversation_id = ?) as e, (select count(*)::int from runs where conversation_id = ?) as r`,
      [conversationId, conversationId, conversationId, conversationId]);
    return row!;
  };

  it('lets its creator delete it for everyone: viewers are told at once, rows are gone, the audit log keeps the title', async () => {
    const admin = await app.signUp('Owner');
    const member = await app.signUp('Creator');
    const other = await app.signUp('Other');
    await inviteMember(app, admin.token, admin.workspaceId, member, 'member');
    await inviteMember(app, admin.token, admin.workspaceId, other, 'member');
    const c = await app.client(member.token).conversation.create.mutate({ workspaceId: admin.workspaceId, title: 'Q3 leak' });
    const { runId } = await app.client(member.token).conversation.send.mutate({ conversationId: c.id, content: 'sales by month', clientMessageId: randomUUID() });
    await vi.waitFor(async () => expect((await sqlRows<{ status: string }>(app, 'select status from runs where id = ?', [runId]))[0]?.status).toBe('completed'), { timeout: 30_000, interval: 100 });
    expect(await rowsOf(c.id)).toMatchObject({ c: 1, m: 2, r: 1 });

    // Another member may not; the conversation stays.
    expect(await codeOf(app.client(other.token).conversation.delete.mutate({ conversationId: c.id }))).toBe('FORBIDDEN');
    expect((await rowsOf(c.id)).c).toBe(1);

    const socket = app.wsClient(other.token);
    const watching = watchSubscription<{ type?: string; by?: { name: string } }>((o) => socket.client.conversation.events.subscribe({ conversationId: c.id }, o));
    await vi.waitFor(() => expect(watching.data.some((d) => d.type === 'presence')).toBe(true), { timeout: 10_000, interval: 20 });

    expect(await app.client(member.token).conversation.delete.mutate({ conversationId: c.id })).toEqual({ deleted: true });
    await vi.waitFor(() => expect(watching.data).toContainEqual({ type: 'deleted', by: { id: member.userId, name: 'Creator' } }), { timeout: 10_000, interval: 20 });
    expect(await rowsOf(c.id)).toEqual({ c: 0, m: 0, e: 0, r: 0 });
    const audit = await sqlRows<{ actor_id: string; data: { title: string } }>(app, `select actor_id, data from audit_log where action = 'conversation.deleted' and target_id = ?`, [c.id]);
    expect(audit).toEqual([{ actor_id: member.userId, data: { title: 'Q3 leak' } }]);
    // It is gone for everyone: reading or deleting it again is NOT_FOUND.
    expect(await codeOf(app.client(admin.token).conversation.get.query({ conversationId: c.id }))).toBe('NOT_FOUND');
    expect(await codeOf(app.client(member.token).conversation.delete.mutate({ conversationId: c.id }))).toBe('NOT_FOUND');
    await socket.close();
  });

  it("lets an admin delete a member's conversation; the list no longer shows it", async () => {
    const admin = await app.signUp('Admin');
    const member = await app.signUp('Member');
    await inviteMember(app, admin.token, admin.workspaceId, member, 'member');
    const c = await app.client(member.token).conversation.create.mutate({ workspaceId: admin.workspaceId });
    expect(await codeOf(app.client(admin.token).conversation.delete.mutate({ conversationId: c.id }))).toBe('OK');
    const list = await app.client(member.token).conversation.list.query({ workspaceId: admin.workspaceId });
    expect(list.items.map((i) => i.id)).not.toContain(c.id);
  });
});
