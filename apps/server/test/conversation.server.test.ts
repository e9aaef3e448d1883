// Shared analysis sessions end to end: send → queue → worker (offline assistant with tools) →
// sequenced events → subscribers, in both runtime modes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ephemeralChannel } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import { seedDemoSales } from '@tandem/tools';
import type { ConversationEvent, EphemeralEvent } from '@tandem/schema';
import { codeOf, errorOf, inviteMember, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();

type Received = { id?: string; event: ConversationEvent | EphemeralEvent };

/** Subscribes over WebSocket and records every event with its tracked id. */
function record(app: TestApp, token: string, conversationId: string, lastEventId?: string) {
  const ws = app.wsClient(token);
  const received: Received[] = [];
  /** Presence lists, kept apart: they arrive on their own clock, between any other events. */
  const presence: string[][] = [];
  const errors: unknown[] = [];
  const sub = ws.client.conversation.events.subscribe(
    { conversationId, lastEventId },
    {
      onData: (d: unknown) => {
        const env = d as { id?: string; data?: ConversationEvent } & EphemeralEvent;
        if (env.type === 'presence') return void presence.push(env.viewers.map((v) => v.id).sort());
        received.push(env.id !== undefined && env.data ? { id: env.id, event: env.data } : { event: env });
      },
      onError: (e) => errors.push(e),
    },
  );
  return {
    received,
    presence,
    /** The latest list of viewers' ids, sorted. */
    viewers: () => presence[presence.length - 1] ?? [],
    errors,
    types: () => received.map((r) => r.event.type),
    async close() {
      sub.unsubscribe();
      await ws.close();
    },
  };
}

const completedRuns = (r: Received[]) =>
  r.filter((x) => x.event.type === 'run.status' && x.event.status === 'completed').length;

describe.each(modes)('conversations (%s)', (mode) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<TestApp['signUp']>>;
  beforeAll(async () => {
    app = await startTestApp(mode);
    admin = await app.signUp('Admin');
    await seedDemoSales(app.rt.orm.em.fork(), admin.workspaceId, { months: 6, now: new Date('2026-11-01T00:00:00Z') });
  });
  afterAll(() => app?.close());

  it('streams a question, its tool call and the reply to a subscriber, and stores the same text', async () => {
    const c = await app.client(admin.token).conversation.create.mutate({ workspaceId: admin.workspaceId, title: 'Sales review' });
    const sub = record(app, admin.token, c.id, String(c.lastSeq));
    // Live once its own presence arrives: the hub has joined, so nothing sent from now on is missed.
    await vi.waitFor(() => expect(sub.viewers()).toContain(admin.userId));
    const { message, runId } = await app.client(admin.token).conversation.send.mutate({
      conversationId: c.id, content: 'Show sales by month for the last 6 months', clientMessageId: randomUUID(),
    });
    expect(message).toMatchObject({ role: 'user', status: 'complete', runId });
    await vi.waitFor(() => expect(completedRuns(sub.received)).toBe(1), { timeout: 20_000 });

    const types = sub.types();
    expect(types.slice(0, 4)).toEqual(['message.created', 'run.status', 'message.created', 'run.status']);
    expect(types).toContain('tool.started');
    const finished = sub.received.find((r) => r.event.type === 'tool.finished')!.event as Extract<ConversationEvent, { type: 'tool.finished' }>;
    expect(finished.name).toBe('get_sales_by_month');
    expect(finished.error).toBeUndefined();
    expect(finished.chart?.kind).toBe('line');
    // Ids are the gapless sequence numbers.
    const ids = sub.received.map((r) => Number(r.id));
    expect(ids).toEqual(ids.map((_, i) => c.lastSeq + 1 + i));

    const streamed = sub.received.flatMap((r) => (r.event.type === 'message.delta' ? [r.event.text] : [])).join('');
    const completed = sub.received.find((r) => r.event.type === 'message.completed')!.event as Extract<ConversationEvent, { type: 'message.completed' }>;
    expect(completed.status).toBe('complete');
    expect(completed.content).toBe(streamed);
    expect(streamed.length).toBeGreaterThan(20);

    const got = await app.client(admin.token).conversation.get.query({ conversationId: c.id });
    expect(got.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(got.messages[1]!.content).toBe(streamed);
    await sub.close();
  });

  it('resumes after a dropped subscription with exactly the missed events, in order', async () => {
    const c = await app.client(admin.token).conversation.create.mutate({ workspaceId: admin.workspaceId });
    const all = record(app, admin.token, c.id, '0');
    await app.client(admin.token).conversation.send.mutate({ conversationId: c.id, content: 'Which items are low on stock?', clientMessageId: randomUUID() });
    await vi.waitFor(() => expect(completedRuns(all.received)).toBe(1), { timeout: 20_000 });
    const k = 3;
    const resumed = record(app, admin.token, c.id, all.received[k - 1]!.id);
    await vi.waitFor(() => expect(resumed.received.length).toBe(all.received.length - k), { timeout: 10_000 });
    expect(resumed.received.map((r) => r.id)).toEqual(all.received.slice(k).map((r) => r.id));
    expect(resumed.received.map((r) => r.event)).toEqual(all.received.slice(k).map((r) => r.event));
    await all.close();
    await resumed.close();
  });

  it('shows who is viewing, and drops a viewer whose socket is gone within 5 s', async () => {
    const c = await app.client(admin.token).conversation.create.mutate({ workspaceId: admin.workspaceId });
    const other = await app.signUp('Viewer Two');
    await inviteMember(app, admin.token, admin.workspaceId, other, 'viewer');
    const mine = record(app, admin.token, c.id, String(c.lastSeq));
    const theirs = record(app, other.token, c.id, String(c.lastSeq));
    const both = [admin.userId, other.userId].sort();
    await vi.waitFor(() => expect(mine.viewers()).toEqual(both), { timeout: 10_000 });
    await vi.waitFor(() => expect(theirs.viewers()).toEqual(both), { timeout: 10_000 });
    await theirs.close();
    await vi.waitFor(() => expect(mine.viewers()).toEqual([admin.userId]), { timeout: 10_000, interval: 100 });

    // A viewer on a server that died says no goodbye: it expires once its beats stop.
    const ghost = { id: randomUUID(), name: 'Ghost' };
    await app.rt.bus.publish(ephemeralChannel(c.id), { type: 'presence.beat', user: ghost, connection: randomUUID() });
    await vi.waitFor(() => expect(mine.viewers()).toContain(ghost.id), { timeout: 5_000, interval: 50 });
    await vi.waitFor(() => expect(mine.viewers()).toEqual([admin.userId]), { timeout: 10_000, interval: 100 });
    await mine.close();
  });

  it('sends a resync event when the id cannot be resumed', async () => {
    const c = await app.client(admin.token).conversation.create.mutate({ workspaceId: admin.workspaceId });
    const sub = record(app, admin.token, c.id, '999999');
    await vi.waitFor(() => expect(sub.types()).toEqual(['resync']));
    expect(sub.received[0]!.event).toMatchObject({ type: 'resync', lastSeq: 0 });
    await sub.close();
  });

  it('is idempotent on clientMessageId: one message, one run', async () => {
    const c = await app.client(admin.token).conversation.create.mutate({ workspaceId: admin.workspaceId });
    const input = { conversationId: c.id, content: 'top products by revenue', clientMessageId: randomUUID() };
    const results = await Promise.all([1, 2, 3].map(() => app.client(admin.token).conversation.send.mutate(input)));
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.runId)).size).toBe(1);
    await vi.waitFor(async () => {
      const got = await app.client(admin.token).conversation.get.query({ conversationId: c.id });
      expect(got.messages.map((m) => [m.role, m.status])).toEqual([['user', 'complete'], ['assistant', 'complete']]);
    }, { timeout: 20_000 });
  });

  it('runs questions from several members one at a time, in send order', async () => {
    const c = await app.client(admin.token).conversation.create.mutate({ workspaceId: admin.workspaceId });
    const others = await Promise.all(['Bea', 'Cal'].map((n) => app.signUp(n)));
    for (const o of others) await inviteMember(app, admin.token, admin.workspaceId, o, 'member');
    const sub = record(app, admin.token, c.id, '0');
    const askers = [admin, ...others];
    const sent = [];
    for (const [i, a] of askers.entries())
      sent.push(await app.client(a.token).conversation.send.mutate({ conversationId: c.id, content: `sales by month ${i}`, clientMessageId: randomUUID() }));
    await vi.waitFor(() => expect(completedRuns(sub.received)).toBe(3), { timeout: 30_000 });
    const runOrder = sub.received.flatMap((r) => (r.event.type === 'run.status' && r.event.status !== 'queued' ? [[r.event.runId, r.event.status]] : []));
    expect(runOrder).toEqual(sent.flatMap((s) => [[s.runId, 'running'], [s.runId, 'completed']]));
    await sub.close();
  });

  it('cancels a run and keeps it cancelled', async () => {
    const c = await app.client(admin.token).conversation.create.mutate({ workspaceId: admin.workspaceId });
    const { runId } = await app.client(admin.token).conversation.send.mutate({ conversationId: c.id, content: 'sales by month', clientMessageId: randomUUID() });
    const res = await app.client(admin.token).conversation.cancel.mutate({ runId });
    expect(res.cancelled).toBe(true);
    expect((await app.client(admin.token).conversation.cancel.mutate({ runId })).cancelled).toBe(false);
    const sub = record(app, admin.token, c.id, '0');
    await vi.waitFor(() => expect(sub.received.some((r) => r.event.type === 'run.status' && r.event.status === 'cancelled')).toBe(true));
    await new Promise((r) => setTimeout(r, 1000)); // give a racing worker the chance to (wrongly) write
    expect(completedRuns(sub.received)).toBe(0);
    await sub.close();
  });

  it('keeps outsiders out (NOT_FOUND) and viewers from asking (FORBIDDEN)', async () => {
    const c = await app.client(admin.token).conversation.create.mutate({ workspaceId: admin.workspaceId });
    const outsider = await app.signUp('Outsider');
    const viewer = await app.signUp('Viewer');
    await inviteMember(app, admin.token, admin.workspaceId, viewer, 'viewer');
    const o = app.client(outsider.token);
    expect(await codeOf(o.conversation.get.query({ conversationId: c.id }))).toBe('NOT_FOUND');
    expect(await codeOf(o.conversation.send.mutate({ conversationId: c.id, content: 'hi', clientMessageId: randomUUID() }))).toBe('NOT_FOUND');
    expect(await codeOf(o.conversation.list.query({ workspaceId: admin.workspaceId }))).toBe('NOT_FOUND');
    const sub = record(app, outsider.token, c.id, '0');
    await vi.waitFor(() => expect(sub.errors).toHaveLength(1));
    expect(sub.received).toHaveLength(0);
    await sub.close();
    expect(await codeOf(app.client(viewer.token).conversation.get.query({ conversationId: c.id }))).toBe('OK');
    expect(await codeOf(app.client(viewer.token).conversation.send.mutate({ conversationId: c.id, content: 'hi', clientMessageId: randomUUID() }))).toBe('FORBIDDEN');
  });

  it('lists, renames, archives and restores', async () => {
    const c = await app.client(admin.token).conversation.create.mutate({ workspaceId: admin.workspaceId, title: 'To archive' });
    await app.client(admin.token).conversation.rename.mutate({ conversationId: c.id, title: 'Renamed' });
    await app.client(admin.token).conversation.archive.mutate({ conversationId: c.id });
    const active = await app.client(admin.token).conversation.list.query({ workspaceId: admin.workspaceId });
    expect(active.items.map((i) => i.id)).not.toContain(c.id);
    const archived = await app.client(admin.token).conversation.list.query({ workspaceId: admin.workspaceId, archived: true });
    expect(archived.items).toEqual([expect.objectContaining({ id: c.id, title: 'Renamed', archived: true })]);
    expect((await errorOf(app.client(admin.token).conversation.send.mutate({ conversationId: c.id, content: 'hi', clientMessageId: randomUUID() }))).code).toBe('CONFLICT');
    await app.client(admin.token).conversation.restore.mutate({ conversationId: c.id });
    const first = await app.client(admin.token).conversation.list.query({ workspaceId: admin.workspaceId, limit: 1 });
    expect(first.items[0]!.id).toBe(c.id); // most recent activity first
    expect(first.nextCursor).not.toBeNull();
    const second = await app.client(admin.token).conversation.list.query({ workspaceId: admin.workspaceId, limit: 1, cursor: first.nextCursor! });
    expect(second.items[0]!.id).not.toBe(c.id);
  });
});

describe.each(modes)('assistant quota (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode, { ASSISTANT_RATE_LIMIT_PER_HOUR: '3' });
  });
  afterAll(() => app?.close());

  it('accepts exactly the hourly limit; resends cost nothing; the rest get a retry time', async () => {
    const u = await app.signUp('Asker');
    const c = await app.client(u.token).conversation.create.mutate({ workspaceId: u.workspaceId });
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const results = await Promise.all(ids.map((id) => codeOf(app.client(u.token).conversation.send.mutate({ conversationId: c.id, content: 'hello', clientMessageId: id }))));
    expect(results.filter((r) => r === 'OK')).toHaveLength(3);
    expect(results.filter((r) => r === 'TOO_MANY_REQUESTS')).toHaveLength(2);
    const accepted = ids[results.indexOf('OK')]!;
    expect(await codeOf(app.client(u.token).conversation.send.mutate({ conversationId: c.id, content: 'hello', clientMessageId: accepted }))).toBe('OK');
    const err = await errorOf(app.client(u.token).conversation.send.mutate({ conversationId: c.id, content: 'hello', clientMessageId: randomUUID() }));
    expect(err.code).toBe('TOO_MANY_REQUESTS');
    expect(err.retryAfterMs).toBeGreaterThan(0);
  });
});
