// Two server instances on one PostgreSQL and one Redis (services mode), sharing nothing in memory:
// a subscriber on A receives, in order and complete, what a member asks through B; the hourly
// question quota holds across both and across a restart (docs/reliability.md §19).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import type { ConversationEvent } from '@tandem/schema';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../src/routers/_app.ts';
import { codeOf, errorOf, startSecondServer, startTestApp, watchSubscription, type TestApp } from './harness.ts';

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

  it('accepts exactly 50 of 60 concurrent questions sent through two instances; the count survives a restart', async () => {
    const asker = await a.signUp('Asker');
    const clientOf = (url: string) => createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${asker.token}` } })] });
    const viaA = clientOf(a.url);
    const viaB = clientOf(urlB);
    const conversations = await Promise.all(Array.from({ length: 6 }, () => viaA.conversation.create.mutate({ workspaceId: asker.workspaceId })));
    const sends = Array.from({ length: 60 }, (_, i) => ({ via: i % 2 ? viaB : viaA, conversationId: conversations[i % 6]!.id, clientMessageId: randomUUID() }));
    const results = await Promise.all(sends.map(async (s) => {
      const send = s.via.conversation.send.mutate({ conversationId: s.conversationId, content: 'sales by month', clientMessageId: s.clientMessageId });
      if ((await codeOf(send)) === 'OK') return { code: 'OK', retryAfterMs: undefined };
      const e = await errorOf(send);
      return { code: e.code, retryAfterMs: e.retryAfterMs };
    }));
    expect(results.filter((r) => r.code === 'OK')).toHaveLength(50);
    const refused = results.filter((r) => r.code !== 'OK');
    expect(refused).toHaveLength(10);
    for (const r of refused) {
      expect(r.code).toBe('TOO_MANY_REQUESTS');
      expect(r.retryAfterMs).toBeGreaterThan(0);
    }
    // A resend of an accepted question, through the other instance, costs nothing and is not refused.
    const accepted = sends[results.findIndex((r) => r.code === 'OK')]!;
    const other = accepted.via === viaA ? viaB : viaA;
    expect(await codeOf(other.conversation.send.mutate({ conversationId: accepted.conversationId, content: 'sales by month', clientMessageId: accepted.clientMessageId }))).toBe('OK');

    // Restart B: the count lives in the database, so the new instance still refuses the 51st.
    await closeB();
    ({ url: urlB, close: closeB } = await startSecondServer(a));
    expect(await codeOf(clientOf(urlB).conversation.send.mutate({ conversationId: conversations[0]!.id, content: 'one more', clientMessageId: randomUUID() }))).toBe('TOO_MANY_REQUESTS');
    expect(await a.rt.orm.em.fork().getConnection().execute('select count(*)::int as n from runs where workspace_id = ?', [asker.workspaceId]))
      .toEqual([{ n: 50 }]);
  }, 120_000);
});
