// docs/reliability.md §15: a token that expires while its socket is open ends that socket's
// subscriptions at that moment, with UNAUTHORIZED; the same token cannot subscribe again.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import { startTestApp, watchSubscription, type TestApp } from './harness.ts';

const modes = await availableModes();
const TTL_SECONDS = 3;

describe.each(modes)('token expiry on an open socket (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode, {}, { workers: false });
  });
  afterAll(() => app?.close());

  it('ends every subscription of an expiring token when it expires, and refuses it afterwards; a fresh token goes on', async () => {
    const user = await app.signUp('Short');
    const shortToken = await app.rt.tokens.sign(user.userId, 0, TTL_SECONDS);
    const { workspaceId } = user;
    const short = app.wsClient(shortToken);
    const long = app.wsClient(user.token);
    const expiring = watchSubscription<{ type: string }>((o) => short.client.workspace.events.subscribe({ workspaceId }, o));
    const lasting = watchSubscription<{ type: string }>((o) => long.client.workspace.events.subscribe({ workspaceId }, o));
    // Both are live before the expiry: a bus event reaches both.
    await vi.waitFor(async () => {
      await app.rt.bus.publish(`workspace:${workspaceId}:members`, { type: 'probe' });
      expect(expiring.data.some((d) => d.type === 'probe') && lasting.data.some((d) => d.type === 'probe')).toBe(true);
    }, { timeout: 10_000, interval: 100 });
    expect(expiring.error).toBeNull();

    await vi.waitFor(() => expect(expiring.error?.code).toBe('UNAUTHORIZED'), { timeout: (TTL_SECONDS + 5) * 1000, interval: 50 });
    expect(expiring.error?.message).toMatch(/expired/);
    // The other token's subscription on the same workspace is untouched and still delivers.
    expect(lasting.error).toBeNull();
    await app.rt.bus.publish(`workspace:${workspaceId}:members`, { type: 'after' });
    await vi.waitFor(() => expect(lasting.data.some((d) => d.type === 'after')).toBe(true), { timeout: 10_000, interval: 50 });
    expect(expiring.data.some((d) => d.type === 'after')).toBe(false);

    // The expired token cannot subscribe again, on its open socket or a new one.
    const again = watchSubscription((o) => short.client.workspace.events.subscribe({ workspaceId }, o));
    await vi.waitFor(() => expect(again.error?.code).toBe('UNAUTHORIZED'), { timeout: 10_000, interval: 50 });
    expect(again.started).toBe(false);
    await Promise.all([short.close(), long.close()]);
  }, 30_000);
});
