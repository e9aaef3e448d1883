// Two server instances on one PostgreSQL and one Redis (services mode), sharing nothing in memory:
// a subscriber on A receives, in order and complete, what a member asks through B.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import type { ConversationEvent } from '@tandem/schema';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../src/routers/_app.ts';
import { startSecondServer, startTestApp, watchSubscription, type TestApp } from './harness.ts';

const modes = await availableModes();

describe.runIf(modes.includes('services'))('two server instances (services)', () => {
  let a: TestApp;
  let closeB: () => Promise<void>;
  let urlB: string;
  beforeAll(async () => {
    a = await startTestApp('services');
    ({ url: urlB, close: closeB } = await startSecondServer(a));
  });
  afterAll(async () => {
    await closeB?.();
    await a?.close();
  });

  // The reply is computed by the worker of A.
  it('delivers what is sent through B to a subscriber on A, in order, once', async () => {
    const owner = await a.signUp('Owner');
    const viaB = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${urlB}/trpc`, headers: { authorization: `Bearer ${owner.token}` } })] });
    const c = await viaB.conversation.create.mutate({ workspaceId: owner.workspaceId });
    const ws = a.wsClient(owner.token);
    const probe = watchSubscription<{ id?: string; data?: ConversationEvent }>((o) =>
      ws.client.conversation.events.subscribe({ conversationId: c.id, lastEventId: String(c.lastSeq) }, o));
    await vi.waitFor(() => expect(probe.started).toBe(true));

    const sent = [];
    for (const q of ['sales by month', 'which items are low on stock', 'top products by revenue'])
      sent.push(await viaB.conversation.send.mutate({ conversationId: c.id, content: q, clientMessageId: randomUUID() }));
    const tracked = () => probe.data.filter((d) => d.id !== undefined);
    await vi.waitFor(() => expect(tracked().filter((d) => d.data?.type === 'run.status' && d.data.status === 'completed')).toHaveLength(3), { timeout: 30_000, interval: 50 });

    const ids = tracked().map((d) => Number(d.id));
    expect(ids).toEqual(ids.map((_, i) => c.lastSeq + 1 + i)); // gapless, in order, no duplicates
    const questions = tracked().flatMap((d) => (d.data?.type === 'message.created' && d.data.message.role === 'user' ? [d.data.message.id] : []));
    expect(questions).toEqual(sent.map((s) => s.message.id));
    probe.unsubscribe();
    await ws.close();
  });
});
