// docs/reliability.md §10, rolling restart: viewers of a server that gets SIGTERM resume on the
// other one with every event once, in order, including those published while they listened nowhere.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createTRPCClient, createWSClient, httpLink, wsLink, type TRPCClient } from '@trpc/client';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readEvents } from '@tandem/core';
import { availableModes, createTestRuntime, TEST_REDIS_URL, type TestRuntime } from '@tandem/core/testing';
import type { ConversationEvent } from '@tandem/schema';
import { startWorkers } from '@tandem/worker';
import type { AppRouter } from '../src/routers/_app.ts';

const modes = await availableModes();
const ROOT = join(import.meta.dirname, '../../..');

interface ServerProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

function startServer(rt: TestRuntime): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME,
      DATABASE_URL: rt.databaseUrl, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: rt.queues.target.prefix,
      DATA_DIR: rt.dataDir, PORT: '0', HOST: '127.0.0.1', DEMO: '0', LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  child.stderr.on('data', (d: Buffer) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child, exited });
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

/**
 * Stands in for a load balancer: a client asks it where to connect each time it (re)connects.
 * `hold()` makes every new connection wait, so viewers can be kept connected to nothing.
 */
class Balancer {
  readonly healthy = new Set<string>();
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => {};
  hold() {
    this.gate = new Promise((r) => (this.open = r));
  }
  release() {
    this.open();
  }
  async pick(preferred: string[]): Promise<string> {
    await this.gate;
    const url = preferred.find((u) => this.healthy.has(u));
    if (!url) throw new Error('no healthy server');
    return `${url.replace('http', 'ws')}/trpc`;
  }
}

type Received = { id: number; event: ConversationEvent };

/** A viewer: a tRPC WebSocket client that records its events and what its sockets went through. */
function viewer(lb: Balancer, preferred: string[], token: string, conversationId: string, lastEventId: string) {
  const log = { connectedTo: [] as string[], notices: 0, closeCodes: [] as number[], received: [] as Received[], errors: [] as unknown[] };
  class RecordingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      log.connectedTo.push(new URL(url).host);
      this.on('message', (data) => {
        if (String(data).includes('"method":"reconnect"')) log.notices++;
      });
      this.on('close', (code) => log.closeCodes.push(code));
    }
  }
  const ws = createWSClient({
    url: () => lb.pick(preferred),
    WebSocket: RecordingWebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: () => ({ token }),
    retryDelayMs: () => 100,
  });
  const client: TRPCClient<AppRouter> = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
  const sub = client.conversation.events.subscribe({ conversationId, lastEventId }, {
    onData: (d: unknown) => {
      const env = d as { id?: string; data?: ConversationEvent };
      if (env.id !== undefined && env.data) log.received.push({ id: Number(env.id), event: env.data });
    },
    onError: (e) => log.errors.push(e),
  });
  return {
    log,
    lastId: () => log.received[log.received.length - 1]?.id ?? Number(lastEventId),
    async close() {
      sub.unsubscribe();
      await ws.close();
    },
  };
}

describe.runIf(modes.includes('services'))('rolling restart: two server processes on one database and Redis (services)', () => {
  let rt: TestRuntime;
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    // The test's own runtime made the database and runs the worker; A and B are processes.
    // Words every 100 ms: the first reply is still streaming when A is stopped.
    rt = await createTestRuntime('services', { OFFLINE_WORD_DELAY_MS: '100' });
    startWorkers(rt);
    [a, b] = await Promise.all([startServer(rt), startServer(rt)]);
  });
  afterAll(async () => {
    for (const s of [a, b]) s?.child.kill('SIGKILL');
    await rt?.close();
  });

  // Two server processes (A, B), a worker, viewers of one conversation while a reply streams.
  // SIGTERM to A: its viewers get tRPC's reconnect notice, A closes their sockets (1012) and exits
  // by itself. While they are connected to no instance, a second question is asked and answered;
  // then they reach B and resume with their lastEventId. Every viewer ends with the stored log —
  // what was published while it listened nowhere only the database can give back.
  it('viewers of A resume on B after SIGTERM with every event once, in order, also those sent while they were nowhere', async () => {
    const http = (url: string, token?: string) =>
      createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })] });
    const { token } = await http(b.url).auth.register.mutate({ email: `roll-${randomUUID()}@example.com`, password: 'correct horse', name: 'Roller' });
    const me = await http(b.url, token).auth.me.query();
    const viaB = http(b.url, token);
    const c = await viaB.conversation.create.mutate({ workspaceId: me.workspaces[0]!.id });

    const lb = new Balancer();
    lb.healthy.add(a.url).add(b.url);
    const onA = [0, 1, 2].map(() => viewer(lb, [a.url, b.url], token, c.id, String(c.lastSeq)));
    const onB = viewer(lb, [b.url], token, c.id, String(c.lastSeq));
    const everyone = [...onA, onB];
    const completed = (v: ReturnType<typeof viewer>) =>
      v.log.received.filter((r) => r.event.type === 'run.status' && r.event.status === 'completed').length;

    // A reply is streaming to everyone when A is told to stop.
    await viaB.conversation.send.mutate({ conversationId: c.id, content: 'Which items are low on stock?', clientMessageId: randomUUID() });
    await vi.waitFor(() => {
      const deltas = everyone.map((v) => v.log.received.filter((r) => r.event.type === 'message.delta').length);
      expect(deltas.every((n) => n > 0), `deltas seen: ${deltas.join(', ')}`).toBe(true);
    }, { timeout: 30_000, interval: 20 });
    lb.hold();
    lb.healthy.delete(a.url);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0); // it drains and exits by itself

    for (const v of onA) {
      expect(v.log.notices).toBe(1);
      expect(v.log.closeCodes).toContain(1012);
    }
    const seenWhenCut = Math.max(...onA.map((v) => v.lastId()));

    // Connected to no instance: the first reply finishes and a second question is answered.
    await viaB.conversation.send.mutate({ conversationId: c.id, content: 'Show sales by month', clientMessageId: randomUUID() });
    await vi.waitFor(() => expect(completed(onB)).toBe(2), { timeout: 60_000, interval: 50 });
    const stored = await readEvents(rt.orm.em.fork(), c.id, c.lastSeq, 10_000);
    const lastSeq = stored[stored.length - 1]!.seq;
    expect(lastSeq).toBeGreaterThan(seenWhenCut);
    for (const v of onA) expect(v.lastId()).toBeLessThan(lastSeq);

    lb.release();
    await vi.waitFor(() => {
      for (const v of everyone) expect(v.lastId()).toBe(lastSeq);
    }, { timeout: 30_000, interval: 50 });

    const want = stored.map((e) => ({ id: e.seq, event: e.event }));
    for (const v of everyone) {
      expect(v.log.received).toEqual(want); // exactly once, in order, gapless, as stored
      expect(v.log.errors).toEqual([]);
    }
    const hostOf = (url: string) => new URL(url).host;
    for (const v of onA) expect(v.log.connectedTo).toEqual([hostOf(a.url), hostOf(b.url)]);
    expect(onB.log.notices).toBe(0);
    expect(onB.log.connectedTo).toEqual([hostOf(b.url)]);
    await Promise.all(everyone.map((v) => v.close()));
  }, 150_000);
});
