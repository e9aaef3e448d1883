// docs/reliability.md §13 (limits and malformed input), §14 (Origin on the WebSocket handshake)
// and §15 (auth changes on an open socket), plus the per-connection subscription cap.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { request } from 'node:http';
import WebSocket from 'ws';
import { availableModes } from '@tandem/core/testing';
import { WS_MAX_PAYLOAD } from '../src/ws/websocket.ts';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from '../src/subscriptions/auth-watch.ts';
import { codeOf, inviteMember, startTestApp, watchSubscription, type SubscriptionProbe, type TestApp } from './harness.ts';

const modes = await availableModes();
const waitOpts = { timeout: 10_000, interval: 20 };

type Upgrade = { opened: true; socket: WebSocket } | { opened: false; status: number | null; error?: string };

describe.each(modes)('websocket and HTTP limits (%s)', (mode) => {
  let app: TestApp;
  let wsUrl: string;
  beforeAll(async () => {
    app = await startTestApp(mode);
    wsUrl = app.url.replace('http', 'ws');
  });
  afterAll(() => app?.close());

  /** Opens a raw WebSocket and reports whether the upgrade was accepted, or its HTTP status. */
  function upgrade(path: string, headers: Record<string, string> = {}): Promise<Upgrade> {
    return new Promise((resolve) => {
      const socket = new WebSocket(`${wsUrl}${path}`, { headers });
      socket.once('open', () => resolve({ opened: true, socket }));
      socket.once('unexpected-response', (_req, res) => {
        resolve({ opened: false, status: res.statusCode ?? null });
        res.resume();
        socket.terminate();
      });
      socket.once('error', (err) => resolve({ opened: false, status: null, error: err.message }));
    });
  }

  /** Sends a raw HTTP request and resolves to its status and body. */
  function http(path: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string; chunked?: boolean }) {
    return new Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
      const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
      const req = request(`${app.url}${path}`, {
        method: opts.method ?? 'POST',
        headers: { 'content-type': 'application/json', ...(body && !opts.chunked ? { 'content-length': String(body.length) } : {}), ...opts.headers },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), headers: res.headers }));
      });
      // The server may answer and close before the whole body is sent; the answer is what counts.
      req.on('error', (err) => reject(err));
      if (body && opts.chunked) {
        for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
        req.end();
      } else req.end(body);
    });
  }

  const close = (socket: WebSocket) => new Promise<void>((r) => {
    if (socket.readyState === WebSocket.CLOSED) return r();
    socket.once('close', () => r());
    socket.close();
  });

  describe('handshake (scenario 14)', () => {
    it('refuses a foreign Origin with 403', async () => {
      for (const origin of ['https://evil.example', 'null', `http://127.0.0.1.evil.example`, 'not a url']) {
        const result = await upgrade('/trpc', { Origin: origin });
        expect(result, origin).toEqual({ opened: false, status: 403 });
      }
    });

    it("accepts the server's own origin and clients that send none", async () => {
      const own = await upgrade('/trpc', { Origin: app.url });
      expect(own.opened).toBe(true);
      const none = await upgrade('/trpc');
      expect(none.opened).toBe(true);
      for (const r of [own, none]) if (r.opened) await close(r.socket);
    });

    it('answers 404 to upgrades on any other path', async () => {
      expect(await upgrade('/other')).toEqual({ opened: false, status: 404 });
      expect(await upgrade('/trpcx')).toEqual({ opened: false, status: 404 });
      expect(await upgrade('/api/v1/agents')).toEqual({ opened: false, status: 404 });
    });
  });

  describe('size limits and malformed input (scenario 13)', () => {
    it('closes a socket that sends a frame over 1 MiB with 1009, and keeps serving others', async () => {
      const r = await upgrade('/trpc');
      if (!r.opened) throw new Error('upgrade refused');
      const closed = new Promise<number>((resolve) => r.socket.once('close', (code) => resolve(code)));
      r.socket.on('error', () => undefined);
      r.socket.send(Buffer.alloc(WS_MAX_PAYLOAD + 1, 0x20));
      expect(await closed).toBe(1009);

      // A frame at the limit is not cut off for its size (the server may still reject its content).
      const ok = await upgrade('/trpc');
      if (!ok.opened) throw new Error('upgrade refused');
      const codes: number[] = [];
      ok.socket.on('close', (code) => codes.push(code));
      ok.socket.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'auth.me', input: 'x'.repeat(WS_MAX_PAYLOAD - 200) } }));
      const u = await app.signUp('Afterwards');
      const socket = app.wsClient(u.token);
      const probe = watchSubscription((o) => socket.client.workspace.events.subscribe({ workspaceId: u.workspaceId }, o));
      await vi.waitFor(() => expect(probe.started).toBe(true), waitOpts);
      expect(codes).not.toContain(1009);
      await socket.close();
      await close(ok.socket);
    });

    it('answers 413 to an HTTP body over 1 MiB, with or without Content-Length', async () => {
      const big = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(2 * 1024 * 1024) });
      expect((await http('/trpc/auth.login', { body: big })).status).toBe(413);
      expect((await http('/trpc/auth.login', { body: big, chunked: true })).status).toBe(413);
      // Just under the limit is parsed (and then refused by validation, not by size).
      const under = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(1000) });
      expect((await http('/trpc/auth.login', { body: under })).status).toBe(400);
    });

    it('answers 400 to malformed JSON', async () => {
      const res = await http('/trpc/auth.login', { body: '{"email": "a@example.com", "password": ' });
      expect(res.status).toBe(400);
      expect(['PARSE_ERROR', 'BAD_REQUEST']).toContain(JSON.parse(res.body).error.data.code);
      const notJson = await http('/trpc/auth.login', { body: 'email=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(notJson.status).toBeGreaterThanOrEqual(400);
      expect(notJson.status).toBeLessThan(500);
    });

    it('refuses compressed bodies it would have to inflate', async () => {
      const res = await http('/trpc/auth.login', { body: 'x', headers: { 'content-encoding': 'gzip' } });
      expect(res.status).toBe(415);
    });

    it('carries Retry-After on HTTP 429 answers', async () => {
      const u = await app.signUp('Limited');
      let last = { status: 0, headers: {} as Record<string, string | string[] | undefined>, body: '' };
      for (let i = 0; i < 12 && last.status !== 429; i++)
        last = await http('/trpc/auth.login', { body: JSON.stringify({ email: u.email, password: 'wrong password' }) });
      expect(last.status).toBe(429);
      const retryAfter = Number(last.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      // Repeated, still with the header.
      const again = await http('/trpc/auth.login', { body: JSON.stringify({ email: u.email, password: 'wrong password' }) });
      expect(again.status).toBe(429);
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('auth changes on an open socket (scenario 15)', () => {
    /** Subscribes to workspace.events and waits until the server is listening on the bus for it. */
    async function liveSubscription(token: string, workspaceId: string) {
      const socket = app.wsClient(token);
      const probe = watchSubscription<{ type: string }>((o) => socket.client.workspace.events.subscribe({ workspaceId }, o));
      await vi.waitFor(() => expect(probe.started || probe.error).toBeTruthy(), waitOpts);
      expect(probe.error).toBeNull();
      // Start-up handshake: publish probes until one arrives, so the server side is subscribed.
      await vi.waitFor(async () => {
        await app.rt.bus.publish(`workspace:${workspaceId}:members`, { type: 'probe' });
        expect(probe.data.some((d) => d.type === 'probe')).toBe(true);
      }, { timeout: 10_000, interval: 100 });
      return { socket, probe };
    }

    async function team() {
      const admin = await app.signUp('Boss');
      const member = await app.signUp('Staff');
      await inviteMember(app, admin.token, admin.workspaceId, member, 'member');
      return { admin, member, workspaceId: admin.workspaceId };
    }

    it('delivers membership events and survives a role change that still allows it', async () => {
      const { admin, member, workspaceId } = await team();
      const { socket, probe } = await liveSubscription(member.token, workspaceId);
      const other = await app.signUp('Other');
      await inviteMember(app, admin.token, workspaceId, other, 'viewer');
      await vi.waitFor(() => expect(probe.data).toContainEqual({ type: 'member.added', userId: other.userId }), waitOpts);
      // member → viewer: viewers may watch, so the subscription goes on and sees its own change.
      await app.client(admin.token).workspace.setRole.mutate({ workspaceId, userId: member.userId, role: 'viewer' });
      await vi.waitFor(() => expect(probe.data).toContainEqual({ type: 'member.changed', userId: member.userId }), waitOpts);
      await app.client(admin.token).workspace.removeMember.mutate({ workspaceId, userId: other.userId });
      await vi.waitFor(() => expect(probe.data).toContainEqual({ type: 'member.removed', userId: other.userId }), waitOpts);
      expect(probe.error).toBeNull();
      await socket.close();
    });

    it('ends the subscription with NOT_FOUND when an admin removes the subscriber', async () => {
      const { admin, member, workspaceId } = await team();
      const { socket, probe } = await liveSubscription(member.token, workspaceId);
      // A bystander's subscription in the same workspace is not affected.
      const bystander = await liveSubscription(admin.token, workspaceId);
      await app.client(admin.token).workspace.removeMember.mutate({ workspaceId, userId: member.userId });
      await vi.waitFor(() => expect(probe.error?.code).toBe('NOT_FOUND'), waitOpts);
      await vi.waitFor(() => expect(bystander.probe.data).toContainEqual({ type: 'member.removed', userId: member.userId }), waitOpts);
      expect(bystander.probe.error).toBeNull();
      // Resubscribing on the same, still open connection is refused as well.
      const again = watchSubscription((o) => socket.client.workspace.events.subscribe({ workspaceId }, o));
      await vi.waitFor(() => expect(again.error?.code).toBe('NOT_FOUND'), waitOpts);
      await socket.close();
      await bystander.socket.close();
    });

    it('ends the subscription with UNAUTHORIZED on logout; the stale token cannot subscribe again', async () => {
      const { member, workspaceId } = await team();
      const { socket, probe } = await liveSubscription(member.token, workspaceId);
      // A second socket of the same user, on their own workspace, ends too: logout is everywhere.
      const second = await liveSubscription(member.token, member.workspaceId);
      await app.client(member.token).auth.logout.mutate();
      await vi.waitFor(() => expect(probe.error?.code).toBe('UNAUTHORIZED'), waitOpts);
      await vi.waitFor(() => expect(second.probe.error?.code).toBe('UNAUTHORIZED'), waitOpts);

      const sameSocket = watchSubscription((o) => socket.client.workspace.events.subscribe({ workspaceId }, o));
      await vi.waitFor(() => expect(sameSocket.error?.code).toBe('UNAUTHORIZED'), waitOpts);
      const fresh = app.wsClient(member.token);
      const stale = watchSubscription((o) => fresh.client.workspace.events.subscribe({ workspaceId }, o));
      await vi.waitFor(() => expect(stale.error?.code).toBe('UNAUTHORIZED'), waitOpts);
      expect(stale.started).toBe(false);
      expect(await codeOf(app.client(member.token).workspace.members.query({ workspaceId }))).toBe('UNAUTHORIZED');
      await Promise.all([socket.close(), second.socket.close(), fresh.close()]);
    });
  });

  describe('subscription cap', () => {
    it(`allows ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection; one more is TOO_MANY_REQUESTS`, async () => {
      const u = await app.signUp('Greedy');
      const socket = app.wsClient(u.token);
      const subscribe = () => watchSubscription((o) => socket.client.workspace.events.subscribe({ workspaceId: u.workspaceId }, o));
      const probes: SubscriptionProbe[] = [];
      for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_CONNECTION; i++) probes.push(subscribe());
      await vi.waitFor(() => expect(probes.every((p) => p.started)).toBe(true), waitOpts);
      // The counter is taken when a subscription's generator starts: wait until all 50 hold a slot.
      await vi.waitFor(async () => {
        await app.rt.bus.publish(`workspace:${u.workspaceId}:members`, { type: 'probe' });
        expect(probes.every((p) => p.data.length > 0)).toBe(true);
      }, { timeout: 10_000, interval: 100 });

      const extra = subscribe();
      await vi.waitFor(() => expect(extra.error?.code).toBe('TOO_MANY_REQUESTS'), waitOpts);
      expect(probes.filter((p) => p.error)).toEqual([]);

      // Another connection has its own allowance.
      const otherSocket = app.wsClient(u.token);
      const elsewhere = watchSubscription((o) => otherSocket.client.workspace.events.subscribe({ workspaceId: u.workspaceId }, o));
      await vi.waitFor(() => expect(elsewhere.started).toBe(true), waitOpts);

      // Ending one frees its slot.
      probes[0]!.unsubscribe();
      await vi.waitFor(async () => {
        const retry = subscribe();
        await vi.waitFor(() => expect(retry.started || retry.error).toBeTruthy(), waitOpts);
        await app.rt.bus.publish(`workspace:${u.workspaceId}:members`, { type: 'probe' });
        await vi.waitFor(() => expect(retry.data.length > 0 || retry.error).toBeTruthy(), waitOpts);
        expect(retry.error).toBeNull();
      }, { timeout: 10_000, interval: 100 });
      await Promise.all([socket.close(), otherSocket.close()]);
    });
  });
});
