// Issue 11 item 3: one subscription path, the WebSocket, with its caps. Mode-independent (nothing
// here touches a store): embedded only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { availableModes } from '@tandem/core/testing';
import { appRouter } from '../src/routers/_app.ts';
import { WS_AUTH_TIMEOUT_MS, WS_CLOSE_NOT_AUTHENTICATED } from '../src/ws/socket-caps.ts';
import { startTestApp, type TestApp } from './harness.ts';

const [mode] = await availableModes();
const SOCKETS_PER_ADDRESS = 4;
const SOCKETS_PER_USER = 3;

interface Opened { socket: WebSocket; messages: unknown[]; closed: Promise<{ code: number; reason: string }> }

describe('security: one subscription path', () => {
  let app: TestApp;
  let wsUrl: string;
  let user: Awaited<ReturnType<TestApp['signUp']>>;
  const open: WebSocket[] = [];
  beforeAll(async () => {
    app = await startTestApp(mode!, { TRUST_PROXY: '1' }, { limits: { socketsPerAddress: SOCKETS_PER_ADDRESS, socketsPerUser: SOCKETS_PER_USER, registrationsPerAddressPerHour: 100 } });
    wsUrl = `${app.url.replace('http', 'ws')}/trpc?connectionParams=1`;
    user = await app.signUp('Subscriber');
  });
  afterAll(async () => {
    for (const s of open) s.terminate();
    await app?.close();
  });

  /** A raw socket from `address` (through the proxy): resolves once open, or with the refusal's status. */
  function connect(address: string): Promise<Opened | { status: number }> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl, { headers: { 'x-forwarded-for': address } });
      const messages: unknown[] = [];
      const closed = new Promise<{ code: number; reason: string }>((r) => socket.once('close', (code, reason) => r({ code, reason: String(reason) })));
      socket.on('message', (raw) => {
        const text = String(raw);
        if (text === 'PING') socket.send('PONG');
        else messages.push(JSON.parse(text));
      });
      socket.once('open', () => {
        open.push(socket);
        resolve({ socket, messages, closed });
      });
      socket.once('unexpected-response', (_req, res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0 });
      });
      socket.once('error', reject);
    });
  }

  /** Authenticates with a token and starts one subscription; resolves to the first answer. */
  async function subscribe(o: Opened, token: string): Promise<unknown> {
    o.socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
    o.socket.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'workspace.events', input: { workspaceId: user.workspaceId } } }));
    const deadline = Date.now() + 10_000;
    while (!o.messages.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return o.messages[0];
  }

  it('security: SSE subscriptions — GET /trpc/<subscription> is refused over HTTP, before any work, for every subscription', async () => {
    const subscriptions = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
      .filter(([, p]) => p._def.type === 'subscription').map(([path]) => path);
    expect(subscriptions).toContain('metrics.live');
    // tRPC v11 also serves subscriptions as HTTP server-sent events, outside the WebSocket's caps.
    for (const path of subscriptions) {
      const input = encodeURIComponent(JSON.stringify({ workspaceId: user.workspaceId }));
      // Repeating it used to open one unbounded server-sent event stream per request.
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${app.url}/trpc/${path}?input=${input}`, {
          headers: { authorization: `Bearer ${user.token}`, accept: 'text/event-stream' },
          signal: AbortSignal.timeout(5000),
        });
        expect(res.status, path).toBe(405);
        expect(res.headers.get('content-type'), path).toMatch(/application\/json/);
        const body = (await res.json()) as { error: { data: { code: string }; message: string } };
        expect(body.error.data.code).toBe('METHOD_NOT_SUPPORTED');
        expect(body.error.message).toMatch(/WebSocket only/);
      }
    }
  });

  // Sockets are capped per client address (at the upgrade) and per user (at authentication).
  it('security: socket caps — one client address holds at most its share of sockets, before authenticating', async () => {
    const mine = [];
    for (let i = 0; i < SOCKETS_PER_ADDRESS; i++) mine.push(await connect('203.0.113.80'));
    expect(mine.every((o) => 'socket' in o)).toBe(true);
    expect(await connect('203.0.113.80')).toEqual({ status: 429 });
    // Another address is not affected, and a closed socket frees its place.
    const other = await connect('198.51.100.80');
    expect('socket' in other).toBe(true);
    const first = mine[0] as Opened;
    first.socket.close();
    await first.closed;
    await new Promise((r) => setTimeout(r, 50));
    expect('socket' in (await connect('203.0.113.80'))).toBe(true);
  });

  it('security: socket caps — one user holds at most its share of sockets, from any address', async () => {
    const accepted = [];
    for (let i = 0; i < SOCKETS_PER_USER; i++) {
      const o = (await connect(`198.51.100.${90 + i}`)) as Opened;
      expect(await subscribe(o, user.token)).toMatchObject({ id: 1, result: { type: 'started' } });
      accepted.push(o);
    }
    const extra = (await connect('198.51.100.99')) as Opened;
    expect(await subscribe(extra, user.token)).toMatchObject({ error: { data: { code: 'TOO_MANY_REQUESTS' } } });
    await extra.closed;
    // Another user is not affected.
    const other = await app.signUp('Other');
    const theirs = (await connect('198.51.100.98')) as Opened;
    theirs.socket.send(JSON.stringify({ method: 'connectionParams', data: { token: other.token } }));
    theirs.socket.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'auth.me' } }));
    const deadline = Date.now() + 10_000;
    while (!theirs.messages.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(theirs.messages[0]).toMatchObject({ id: 1, result: { type: 'data' } });
    for (const o of [...accepted, theirs]) o.socket.close();
    await Promise.all([...accepted, theirs].map((o) => o.closed));
    await new Promise((r) => setTimeout(r, 50));
  });

  it(`security: socket caps — a socket that has not authenticated within ${WS_AUTH_TIMEOUT_MS / 1000} s is closed`, async () => {
    const silent = (await connect('203.0.113.81')) as Opened; // sends nothing at all
    const badToken = (await connect('203.0.113.82')) as Opened;
    badToken.socket.send(JSON.stringify({ method: 'connectionParams', data: { token: 'not.a.token' } }));
    const good = (await connect('203.0.113.83')) as Opened;
    expect(await subscribe(good, user.token)).toMatchObject({ result: { type: 'started' } });
    const started = Date.now();
    const [a, b] = await Promise.all([silent.closed, badToken.closed]);
    expect(a.code).toBe(WS_CLOSE_NOT_AUTHENTICATED);
    expect(b.code).toBe(WS_CLOSE_NOT_AUTHENTICATED);
    expect(Date.now() - started).toBeLessThan(WS_AUTH_TIMEOUT_MS + 1000);
    expect(good.socket.readyState).toBe(WebSocket.OPEN); // the authenticated one stays
    good.socket.close();
  }, 30_000);
});
