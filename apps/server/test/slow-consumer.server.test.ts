// docs/reliability.md §12: a subscriber that never reads its socket is cut off at the send-buffer bound
// (close 4008, counted in /metrics) instead of growing server memory; others keep receiving.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ephemeralChannel } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import { startTestApp, watchSubscription, type TestApp } from './harness.ts';

const modes = await availableModes();

describe.each(modes)('slow consumer (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode);
  });
  afterAll(() => app?.close());

  it('is disconnected at the buffer bound while a healthy subscriber keeps up', async () => {
    const owner = await app.signUp('Owner');
    const c = await app.client(owner.token).conversation.create.mutate({ workspaceId: owner.workspaceId });

    // A raw tRPC WebSocket client that subscribes, then stops reading its socket.
    const slow = new WebSocket(`${app.url.replace('http', 'ws')}/trpc?connectionParams=1`);
    await new Promise((r) => slow.once('open', r));
    let subscribed = false;
    slow.on('message', (raw) => {
      if (String(raw).includes('"started"')) subscribed = true;
    });
    const closed = new Promise<number>((r) => slow.once('close', (code) => r(code)));
    slow.send(JSON.stringify({ method: 'connectionParams', data: { token: owner.token } }));
    slow.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'conversation.events', input: { conversationId: c.id, lastEventId: String(c.lastSeq) } } }));
    await vi.waitFor(() => expect(subscribed).toBe(true), { timeout: 10_000 });
    slow.pause();

    const healthy = app.wsClient(owner.token);
    const probe = watchSubscription<{ id: string; data: { type: string } }>((o) =>
      healthy.client.conversation.events.subscribe({ conversationId: c.id, lastEventId: String(c.lastSeq) }, o));
    await vi.waitFor(() => expect(probe.started).toBe(true), { timeout: 10_000 });

    // Flood the conversation with up to ~48 MB of ephemeral events (loopback TCP buffers absorb several MB), in steps the subscribers can drain.
    const big = { type: 'typing', user: { id: owner.userId, name: 'x'.repeat(120_000) } };
    for (let i = 0; i < 400; i++) {
      await app.rt.bus.publish(ephemeralChannel(c.id), big);
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 20));
    }

    // The server cut the slow socket off (a paused client emits no events, so ask /metrics).
    await vi.waitFor(async () => {
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      expect(metrics).toMatch(/^tandem_ws_slow_consumers_total [1-9]/m);
    }, { timeout: 10_000 });
    slow.resume();
    expect([4008, 1006]).toContain(await closed);

    // The healthy subscriber is unaffected: it still gets a persisted event published afterwards.
    await app.client(owner.token).conversation.rename.mutate({ conversationId: c.id, title: 'After the flood' });
    await vi.waitFor(() => expect(probe.data.some((d) => d.data?.type === 'conversation.updated')).toBe(true), { timeout: 10_000 });
    expect(probe.error).toBeNull();
    probe.unsubscribe();
    await healthy.close();
  });
});
