// Direct delivery (src/ws/direct-delivery.ts) against the real @trpc/client wsLink: subscribe, resume
// by lastEventId, errors, stop and the reconnect notice; a tRPC upgrade that changes the wire fails here.
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendEvents, wakeSubscribers } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import type { ConversationEvent } from '@tandem/schema';
import type { AppRouter } from '../src/routers/_app.ts';
import { createHttpServer } from '../src/http/server.ts';
import { createServerServices } from '../src/services.ts';
import { inviteMember, startTestApp, watchSubscription, type TestApp } from './harness.ts';

const modes = await availableModes();

type Tracked = { id: string; data: ConversationEvent };
const isTracked = (d: unknown): d is Tracked => typeof (d as Tracked).id === 'string';

describe.each(modes)('direct delivery through the real wsLink (%s)', (mode) => {
  let app: TestApp;
  let owner: Awaited<ReturnType<TestApp['signUp']>>;
  beforeAll(async () => {
    app = await startTestApp(mode, {}, { workers: false });
    owner = await app.signUp('Owner');
  });
  afterAll(() => app?.close());

  /** Appends events as the worker does (one transaction, then the bus wake-up); returns their seqs. */
  async function append(conversationId: string, titles: string[]): Promise<number[]> {
    const seqs = await app.rt.orm.em.fork().transactional((tx) =>
      appendEvents(tx, conversationId, titles.map((title) => ({ type: 'conversation.updated', title, archived: false }))));
    await wakeSubscribers(app.rt.bus, conversationId, seqs[seqs.length - 1]!);
    return seqs;
  }
  const titles = (data: unknown[]) => data.filter(isTracked).map((d) => (d.data as { title?: string }).title);

  it('replays after lastEventId, then delivers live events once each, with tracked ids and ephemeral events', async () => {
    const c = await app.client(owner.token).conversation.create.mutate({ workspaceId: owner.workspaceId });
    const before = await append(c.id, ['a', 'b', 'c']);
    const ws = app.wsClient(owner.token);
    const probe = watchSubscription((o) => ws.client.conversation.events.subscribe({ conversationId: c.id, lastEventId: String(before[0]) }, o));
    await vi.waitFor(() => expect(titles(probe.data)).toEqual(['b', 'c']));
    // Its own presence arrives (untracked, written directly once handed off).
    await vi.waitFor(() => expect(probe.data).toContainEqual({ type: 'presence', viewers: [{ id: owner.userId, name: 'Owner' }] }));
    const live = await append(c.id, ['d', 'e']);
    await vi.waitFor(() => expect(titles(probe.data)).toEqual(['b', 'c', 'd', 'e']));
    expect(probe.data.filter(isTracked).map((d) => Number(d.id))).toEqual([...before.slice(1), ...live]);
    await app.client(owner.token).conversation.typing.mutate({ conversationId: c.id });
    await vi.waitFor(() => expect(probe.data).toContainEqual({ type: 'typing', user: { id: owner.userId, name: 'Owner' } }));
    expect(probe.error).toBeNull();
    probe.unsubscribe();
    await ws.close();
  });

  it('errors: NOT_FOUND before start; UNAUTHORIZED on logout after hand-off, and nothing after it', async () => {
    const c = await app.client(owner.token).conversation.create.mutate({ workspaceId: owner.workspaceId });
    const stranger = await app.signUp('Stranger');
    const ws1 = app.wsClient(stranger.token);
    const refused = watchSubscription((o) => ws1.client.conversation.events.subscribe({ conversationId: c.id }, o));
    await vi.waitFor(() => expect(refused.error?.code).toBe('NOT_FOUND'));
    await ws1.close();

    const user = await app.signUp('Leaver');
    const c2 = await app.client(user.token).conversation.create.mutate({ workspaceId: user.workspaceId });
    // A second viewer of the conversation sees who is there: the leaver must leave the room too.
    const stayer = await app.signUp('Stayer');
    await inviteMember(app, user.token, user.workspaceId, stayer, 'viewer');
    const ws3 = app.wsClient(stayer.token);
    const other = watchSubscription((o) => ws3.client.conversation.events.subscribe({ conversationId: c2.id, lastEventId: String(c2.lastSeq) }, o));
    const ws2 = app.wsClient(user.token);
    const probe = watchSubscription((o) => ws2.client.conversation.events.subscribe({ conversationId: c2.id, lastEventId: String(c2.lastSeq) }, o));
    await vi.waitFor(() => expect(probe.data.some((d) => (d as { type?: string }).type === 'presence')).toBe(true));
    const viewersOf = (data: unknown[]) => {
      const last = data.filter((d) => (d as { type?: string }).type === 'presence').at(-1) as { viewers: { id: string }[] } | undefined;
      return (last?.viewers ?? []).map((v) => v.id).sort();
    };
    await vi.waitFor(() => expect(viewersOf(other.data)).toEqual([user.userId, stayer.userId].sort()));
    await append(c2.id, ['x']);
    await vi.waitFor(() => expect(titles(probe.data)).toEqual(['x']));
    await app.client(user.token).auth.logout.mutate();
    await vi.waitFor(() => expect(probe.error?.code).toBe('UNAUTHORIZED'));
    // Its subscription ended while handed off: it left the hub (and the presence list) with it.
    await vi.waitFor(() => expect(viewersOf(other.data)).toEqual([stayer.userId]));
    const seen = probe.data.length;
    await append(c2.id, ['after']);
    await new Promise((r) => setTimeout(r, 300));
    expect(probe.data.length).toBe(seen);
    await Promise.all([ws2.close(), ws3.close()]);
  });

  it('a subscriber that caught up from the database ahead of the hub gets each event once', async () => {
    const c = await app.client(owner.token).conversation.create.mutate({ workspaceId: owner.workspaceId });
    const watcher = app.wsClient(owner.token);
    const w = watchSubscription((o) => watcher.client.conversation.events.subscribe({ conversationId: c.id, lastEventId: String(c.lastSeq) }, o));
    await append(c.id, ['a']);
    await vi.waitFor(() => expect(titles(w.data)).toEqual(['a']));
    // Committed, but the hub not yet woken: a new subscriber from 0 is outside the hub's window, so
    // it reads the database, which already has 'b' — it is ahead of the hub when it hands off.
    const [seqB] = await app.rt.orm.em.fork().transactional((tx) =>
      appendEvents(tx, c.id, [{ type: 'conversation.updated', title: 'b', archived: false }]));
    const ws = app.wsClient(owner.token);
    const late = watchSubscription((o) => ws.client.conversation.events.subscribe({ conversationId: c.id, lastEventId: '0' }, o));
    await vi.waitFor(() => expect(titles(late.data)).toEqual(['a', 'b']));
    await vi.waitFor(() => expect(late.data).toContainEqual(expect.objectContaining({ type: 'presence' })));
    await wakeSubscribers(app.rt.bus, c.id, seqB!);
    await append(c.id, ['c']);
    await vi.waitFor(() => expect(titles(w.data)).toEqual(['a', 'b', 'c']));
    await vi.waitFor(() => expect(titles(late.data)).toEqual(['a', 'b', 'c']));
    for (const p of [w, late]) p.unsubscribe();
    await Promise.all([watcher.close(), ws.close()]);
  });

  it('stop: an unsubscribed viewer gets nothing more and leaves the presence list; the socket keeps working', async () => {
    const c = await app.client(owner.token).conversation.create.mutate({ workspaceId: owner.workspaceId });
    const watcher = app.wsClient(owner.token);
    const other = await app.signUp('Other');
    const w = watchSubscription((o) => watcher.client.conversation.events.subscribe({ conversationId: c.id, lastEventId: String(c.lastSeq) }, o));
    const ws = app.wsClient(owner.token);
    const first = watchSubscription((o) => ws.client.conversation.events.subscribe({ conversationId: c.id, lastEventId: String(c.lastSeq) }, o));
    await append(c.id, ['one']);
    await vi.waitFor(() => expect(titles(first.data)).toEqual(['one']));
    first.unsubscribe();
    await append(c.id, ['two']);
    await vi.waitFor(() => expect(titles(w.data)).toEqual(['one', 'two']));
    expect(titles(first.data)).toEqual(['one']);
    // A new subscription on the same socket (wsLink gives it a new request id) is served directly too.
    const second = watchSubscription((o) => ws.client.conversation.events.subscribe({ conversationId: c.id, lastEventId: '0' }, o));
    await append(c.id, ['three']);
    await vi.waitFor(() => expect(titles(second.data)).toEqual(['one', 'two', 'three']));
    expect(titles(first.data)).toEqual(['one']);
    expect(other.userId).toBeTruthy();
    for (const p of [w, second]) p.unsubscribe();
    await Promise.all([watcher.close(), ws.close()]);
  });

  it('reconnect notice: the client moves to another server and resumes from its last id, gapless', async () => {
    const c = await app.client(owner.token).conversation.create.mutate({ workspaceId: owner.workspaceId });
    const first = createHttpServer(createServerServices(app.rt));
    const second = createHttpServer(createServerServices(app.rt));
    const urls = [await first.listen(0, '127.0.0.1'), await second.listen(0, '127.0.0.1')];
    let target = 0;
    let notices = 0;
    class CountingWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        this.on('message', (m) => void (String(m).includes('"method":"reconnect"') && notices++));
      }
    }
    const client = createWSClient({
      url: () => `${urls[target]!.replace('http', 'ws')}/trpc`,
      WebSocket: CountingWebSocket as unknown as typeof globalThis.WebSocket,
      connectionParams: () => ({ token: owner.token }),
      retryDelayMs: () => 100,
    });
    const trpc = createTRPCClient<AppRouter>({ links: [wsLink({ client })] });
    const probe = watchSubscription((o) => trpc.conversation.events.subscribe({ conversationId: c.id, lastEventId: String(c.lastSeq) }, o));
    await append(c.id, ['on first']);
    await vi.waitFor(() => expect(titles(probe.data)).toEqual(['on first']));
    target = 1;
    await first.close(); // sends the reconnect notice, then closes with 1012
    await append(c.id, ['between']);
    await append(c.id, ['on second']);
    await vi.waitFor(() => expect(titles(probe.data)).toEqual(['on first', 'between', 'on second']));
    expect(notices).toBe(1);
    const ids = probe.data.filter(isTracked).map((d) => Number(d.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    probe.unsubscribe();
    await client.close();
    await second.close();
  });
});
