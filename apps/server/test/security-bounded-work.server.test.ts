// Issue 11 item 4: bounded work per message. One WebSocket frame used to start any number of
// metrics.query calls at once and starve the shared connection pool.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import WebSocket from 'ws';
import { STATEMENT_TIMEOUT_MS, USER_STATEMENT_TIMEOUT_MS } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import { TRPC_MAX_BATCH_SIZE } from '../src/ws/websocket.ts';
import { sqlRows, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();
const HEAVY_RUNNING = 2;
const HEAVY_WAITING = 5;

interface Reply { id: number; result?: { type: string }; error?: { message: string; data: { code: string; retryAfterMs?: number } } }

/** A signed-in raw tRPC WebSocket: `send` a frame, `replies` collects the answers by id. */
async function rawSocket(app: TestApp, token: string) {
  const socket = new WebSocket(`${app.url.replace('http', 'ws')}/trpc?connectionParams=1`);
  const replies = new Map<number, Reply>();
  socket.on('message', (raw) => {
    const text = String(raw);
    if (text === 'PING') return void socket.send('PONG');
    const msg = JSON.parse(text) as Reply;
    replies.set(msg.id, msg);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  return { socket, replies, send: (frame: unknown) => socket.send(JSON.stringify(frame)) };
}

const metricsQuery = (id: number, workspaceId: string) => ({
  id, method: 'query', params: { path: 'metrics.query', input: { workspaceId, metrics: [{ name: 'latency_ms', agg: 'p95' }], from: Date.now() - 3_600_000, to: Date.now() } },
});

describe.each(modes)('security: bounded work per message (%s)', (mode) => {
  let app: TestApp;
  let a: Awaited<ReturnType<TestApp['signUp']>>;
  let b: Awaited<ReturnType<TestApp['signUp']>>;
  beforeAll(async () => {
    // No workers: nothing in the background holds the tables the tests lock.
    app = await startTestApp(mode, {}, { workers: false, limits: { heavyRunningPerUser: HEAVY_RUNNING, heavyWaitingPerUser: HEAVY_WAITING, registrationsPerAddressPerHour: 100 } });
    [a, b] = [await app.signUp('Flooder'), await app.signUp('Neighbour')];
    // metrics.query reads the metric tables only for a workspace with agents.
    for (const w of [a.workspaceId, b.workspaceId])
      await sqlRows(app, `insert into agents (id, workspace_id, name) values (gen_random_uuid(), ?, 'bot')`, [w]);
  });
  afterAll(() => app?.close());

  // A frame holds at most 50 calls, as on HTTP.
  it('security: bounded work — a WebSocket frame of more than 50 calls is refused whole, before any runs', async () => {
    const ws = await rawSocket(app, a.token);
    const frame = Array.from({ length: 1000 }, (_, i) => metricsQuery(i + 1, a.workspaceId));
    ws.send(frame);
    await vi.waitFor(() => expect(ws.replies.size).toBe(1000), { timeout: 20_000, interval: 20 });
    const codes = new Set([...ws.replies.values()].map((r) => r.error?.data.code));
    expect(codes).toEqual(new Set(['BAD_REQUEST']));
    expect(ws.replies.get(1)!.error!.message).toMatch(/Batch call exceeds maximum size/);
    // A frame of exactly the limit is served.
    ws.replies.clear();
    ws.send(Array.from({ length: TRPC_MAX_BATCH_SIZE }, (_, i) => ({ id: i + 1, method: 'query', params: { path: 'auth.me' } })));
    await vi.waitFor(() => expect(ws.replies.size).toBe(TRPC_MAX_BATCH_SIZE), { timeout: 20_000, interval: 20 });
    expect([...ws.replies.values()].every((r) => r.result?.type === 'data')).toBe(true);
    ws.socket.close();
  });

  // Each user runs a few expensive queries at a time; the rest wait or are refused.
  it('security: bounded work — one user flooding expensive queries gets a few run, some wait, the rest refused; a neighbour is served', async () => {
    const ws = await rawSocket(app, a.token);
    // Four frames of 50 expensive queries, as fast as the socket takes them.
    for (let f = 0; f < 4; f++) ws.send(Array.from({ length: 50 }, (_, i) => metricsQuery(f * 50 + i + 1, a.workspaceId)));
    // The neighbour's own expensive query is answered meanwhile: slots are per user.
    const neighbour = await fetch(`${app.url}/trpc/metrics.query?input=${encodeURIComponent(JSON.stringify(metricsQuery(0, b.workspaceId).params.input))}`, {
      headers: { authorization: `Bearer ${b.token}` },
    });
    expect(neighbour.status).toBe(200);
    await vi.waitFor(() => expect(ws.replies.size).toBe(200), { timeout: 30_000, interval: 20 });
    const refused = [...ws.replies.values()].filter((r) => r.error);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((r) => r.error!.data.code))).toEqual(new Set(['TOO_MANY_REQUESTS']));
    expect(refused[0]!.error!.data.retryAfterMs).toBeGreaterThan(0);
    expect(200 - refused.length).toBeGreaterThanOrEqual(HEAVY_RUNNING + HEAVY_WAITING);
    ws.socket.close();
  });

  // PostgreSQL only (PGlite is one session and ignores statement_timeout); defined conditionally so
  // embedded runs report no skipped test.
  if (mode === 'services') describe('on PostgreSQL', () => {
    /** Holds ACCESS EXCLUSIVE locks on the metric tables until released: every metric read waits. */
    async function lockMetricTables() {
      const client = new pg.Client({ connectionString: app.rt.databaseUrl });
      await client.connect();
      await client.query('begin');
      await client.query('lock table metric_samples, metric_rollups in access exclusive mode');
      return async () => {
        await client.query('rollback');
        await client.end();
      };
    }
    const waitingOnLocks = async () =>
      Number((await sqlRows<{ n: string }>(app, `select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`))[0]!.n);

    it('security: bounded work — however many expensive queries a user sends, at most a few hold database connections', async () => {
      const release = await lockMetricTables();
      const ws = await rawSocket(app, a.token);
      try {
        ws.send(Array.from({ length: 50 }, (_, i) => metricsQuery(i + 1, a.workspaceId)));
        // The first few reach the database and wait on the lock; the queue fills; the rest are refused.
        await vi.waitFor(() => expect(ws.replies.size).toBe(50 - HEAVY_RUNNING - HEAVY_WAITING), { timeout: 20_000, interval: 20 });
        expect([...ws.replies.values()].every((r) => r.error?.data.code === 'TOO_MANY_REQUESTS')).toBe(true);
        await vi.waitFor(async () => expect(await waitingOnLocks()).toBe(HEAVY_RUNNING), { timeout: 10_000, interval: 50 });
        await new Promise((r) => setTimeout(r, 300));
        expect(await waitingOnLocks()).toBe(HEAVY_RUNNING);
        // The pool still serves everyone else.
        const started = Date.now();
        const other = await fetch(`${app.url}/trpc/agent.list?input=${encodeURIComponent(JSON.stringify({ workspaceId: b.workspaceId }))}`, { headers: { authorization: `Bearer ${b.token}` } });
        expect(other.status).toBe(200);
        expect(Date.now() - started).toBeLessThan(2000);
      } finally {
        await release();
      }
      await vi.waitFor(() => expect(ws.replies.size).toBe(50), { timeout: 20_000, interval: 20 });
      expect([...ws.replies.values()].filter((r) => r.result?.type === 'data')).toHaveLength(HEAVY_RUNNING + HEAVY_WAITING);
      ws.socket.close();
    });

    it(`security: statement timeout — a user's query stops after ${USER_STATEMENT_TIMEOUT_MS / 1000} s; other statements keep the longer limit`, async () => {
      const [current] = await sqlRows<{ statement_timeout: string }>(app, 'show statement_timeout');
      expect(current?.statement_timeout).toBe(`${STATEMENT_TIMEOUT_MS / 60_000}min`);
      const release = await lockMetricTables();
      try {
        const started = Date.now();
        const res = await fetch(`${app.url}/trpc/metrics.query?input=${encodeURIComponent(JSON.stringify(metricsQuery(0, a.workspaceId).params.input))}`, {
          headers: { authorization: `Bearer ${a.token}` },
        });
        const elapsed = Date.now() - started;
        expect(res.status).toBe(408);
        expect(((await res.json()) as { error: { data: { code: string } } }).error.data.code).toBe('TIMEOUT');
        expect(elapsed).toBeGreaterThanOrEqual(USER_STATEMENT_TIMEOUT_MS - 500);
        expect(elapsed).toBeLessThan(USER_STATEMENT_TIMEOUT_MS + 5000);
        // The same through the REST read.
        const rest = await fetch(`${app.url}/api/v1/metrics?workspaceId=${a.workspaceId}&metric=latency_ms:p95`, { headers: { authorization: `Bearer ${a.token}` } });
        expect(rest.status).toBe(408);
      } finally {
        await release();
      }
      // The main pool keeps the long limit: the short one lives on the user-query pool only.
      const after = await Promise.all(Array.from({ length: 5 }, () => sqlRows<{ statement_timeout: string }>(app, 'show statement_timeout')));
      expect(new Set(after.map(([r]) => r!.statement_timeout))).toEqual(new Set([`${STATEMENT_TIMEOUT_MS / 60_000}min`]));
    }, 60_000);
  });
});
