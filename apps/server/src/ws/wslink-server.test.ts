// Our wsLink server against tRPC's own ws adapter, frame for frame: one small router served by
// both, the same scripts of raw frames sent to each, the same frames expected back. A tRPC upgrade
// that changes what its adapter sends fails here (issue 12: the wire stays wsLink's).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { TRPCError, initTRPC, tracked } from '@trpc/server';
import { applyWSSHandler, jsonEncoder } from '@trpc/server/adapters/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { createEventEncoder } from '../subscriptions/event-encoder.ts';
import { TEXT_FRAME } from './direct-delivery.ts';
import { WsLinkServer } from './wslink-server.ts';

/** This router's subscriptions are plain generators: nothing is written directly (that is direct-delivery.ts's and the server tests'). */
const noDirectSubscriptions = (): never => {
  throw new Error('no direct subscriptions in this router');
};

type Ctx = { user: string | null };
// isDev off: error shapes would carry stacks, which differ between the two adapters' call paths.
const t = initTRPC.context<Ctx>().create({ isDev: false });
const authed = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
  return next();
});

/** Ends each subscription the test asked to stop from outside (a stand-in for a bus event). */
const gates = new Map<string, () => void>();

const router = t.router({
  whoami: t.procedure.query(({ ctx }) => ({ user: ctx.user })),
  secret: authed.query(() => 'the secret'),
  add: t.procedure.input(z.object({ a: z.number(), b: z.number() })).mutation(({ input }) => input.a + input.b),
  forbidden: t.procedure.query(() => {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'This needs the owner role' });
  }),
  crash: t.procedure.query(() => {
    throw new Error('database password is hunter2');
  }),
  /** Events after `lastEventId` (tracked ids 1..count), then waits until stopped. */
  events: t.procedure.input(z.object({ count: z.number(), lastEventId: z.string().nullish() })).subscription(async function* ({ input, signal }) {
    for (let i = Number(input.lastEventId ?? 0) + 1; i <= input.count; i++) yield tracked(String(i), { n: i });
    await new Promise<void>((resolve) => signal!.addEventListener('abort', () => resolve(), { once: true }));
  }),
  /** Untracked values, then the end of the stream from the server side. */
  finite: t.procedure.subscription(async function* () {
    yield 'a';
    yield { b: [1, 2] };
  }),
  /** One value, then an error. */
  failing: t.procedure.subscription(async function* () {
    yield 1;
    throw new TRPCError({ code: 'NOT_FOUND', message: 'Conversation not found' });
  }),
  /** Refused before it starts. */
  refused: authed.subscription(async function* () {
    yield 1;
  }),
  gated: t.procedure.input(z.string()).subscription(async function* ({ input }) {
    yield 'open';
    await new Promise<void>((resolve) => gates.set(input, resolve));
  }),
});

const createContext = async ({ info }: { info: { connectionParams: Record<string, string> | null } }): Promise<Ctx> => {
  if (info.connectionParams?.token === 'bad') throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid token' });
  return { user: info.connectionParams?.token ?? null };
};

async function listen(wss: WebSocketServer): Promise<string> {
  await once(wss, 'listening');
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

/** A raw socket that records every text frame it gets. */
async function open(url: string) {
  const ws = new WebSocket(url);
  const frames: string[] = [];
  let wake: (() => void) | null = null;
  ws.on('message', (data) => {
    frames.push(String(data));
    wake?.();
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await once(ws, 'open');
  return {
    frames,
    closed,
    send: (frame: unknown) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    /** Waits until `n` frames have come in all. */
    async until(n: number): Promise<string[]> {
      const deadline = Date.now() + 5000;
      while (frames.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} frames, got ${frames.length}: ${frames.join('\n')}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return frames.slice(0, n);
    },
    close: () => ws.close(),
  };
}

/** A frame to send (`$GATE` in a string names this run's gate), or the gate opened; then the frames expected by now. */
type Step = { send: unknown; total: number } | { gate: true; total: number };

describe('our wsLink server and tRPC adapter', () => {
  const servers: { close(): void }[] = [];
  let trpcUrl: string;
  let oursUrl: string;
  let ours: WsLinkServer<Ctx>;

  beforeAll(async () => {
    const theirs = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    applyWSSHandler({ wss: theirs, router, createContext: createContext as never, maxBatchSize: 3 });
    trpcUrl = await listen(theirs);
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    const encoder = createEventEncoder();
    ours = new WsLinkServer<Ctx>({
      router,
      createContext,
      maxBatchSize: 3,
      encode: (m) => encoder.encode(m),
      send: (ws, frame) => ws.send(frame, TEXT_FRAME),
      writeWire: noDirectSubscriptions,
      keepAlive: { pingMs: 60_000, pongWaitMs: 60_000 },
      onError: () => undefined,
    });
    wss.on('connection', (ws, req) => {
      ours.connect(ws, req);
      ws.once('close', () => ours.disconnect(ws));
    });
    oursUrl = await listen(wss);
    servers.push(theirs, wss, ours);
  });
  afterAll(() => servers.forEach((s) => s.close()));

  /** Plays the same steps on a socket to each server; returns both transcripts. */
  async function play(path: string, steps: Step[], key: string) {
    const transcripts: string[][] = [];
    for (const [name, url] of [['trpc', trpcUrl], ['ours', oursUrl]] as const) {
      const socket = await open(url + path);
      for (const step of steps) {
        if ('gate' in step) gates.get(`${key}-${name}`)!();
        else socket.send(typeof step.send === 'string' ? step.send.replaceAll('$GATE', `${key}-${name}`) : step.send);
        await socket.until(step.total);
      }
      // Nothing more than expected arrives (a frame after `stopped`, a reply twice).
      await new Promise((r) => setTimeout(r, 100));
      transcripts.push(socket.frames.slice());
      socket.close();
    }
    return { trpc: transcripts[0]!, ours: transcripts[1]! };
  }

  const call = (id: number | string | null, method: string, path: string, input?: unknown, extra: object = {}) =>
    ({ id, method, params: { path, input, ...extra } });

  it('answers queries and mutations, with jsonrpc echoed and input errors in the same shape', async () => {
    const { trpc, ours } = await play('', [
      { send: call(1, 'query', 'whoami'), total: 1 },
      { send: { ...call('x', 'mutation', 'add', { a: 1, b: 2 }), jsonrpc: '2.0' }, total: 2 },
      { send: call(3, 'mutation', 'add', { a: 'one' }), total: 3 },
      { send: call(4, 'query', 'forbidden'), total: 4 },
      { send: call(5, 'query', 'secret'), total: 5 },
      { send: call(6, 'query', 'nowhere'), total: 6 },
      { send: call(7, 'query', 'crash'), total: 7 },
    ], 'calls');
    expect(ours).toEqual(trpc);
    expect(JSON.parse(ours[1]!)).toEqual({ id: 'x', jsonrpc: '2.0', result: { type: 'data', data: 3 } });
    expect(JSON.parse(ours[2]!).error.data.code).toBe('BAD_REQUEST');
    expect(JSON.parse(ours[6]!).error.data.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('runs a batch, and refuses every call of one over the limit under its own id', async () => {
    const { trpc, ours } = await play('', [
      { send: [call(1, 'query', 'whoami'), call(2, 'mutation', 'add', { a: 2, b: 2 })], total: 2 },
      { send: [1, 2, 3, 4].map((id) => call(id + 10, 'query', 'whoami')), total: 6 },
      { send: [1, 2, 3, 4].map((id) => ({ id, method: 'subscription.stop' })), total: 7 },
    ], 'batch');
    // Two calls of one frame may answer in either order; compare them as sets.
    expect(ours.slice(0, 2).sort()).toEqual(trpc.slice(0, 2).sort());
    expect(ours.slice(2)).toEqual(trpc.slice(2));
    expect(ours.slice(2, 6).map((f) => JSON.parse(f).error.data.code)).toEqual(['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST']);
  });

  it('refuses what is not a call: malformed JSON, a bad message, a null id, a binary-free PING answered PONG', async () => {
    const { trpc, ours } = await play('', [
      { send: '{"id":1,', total: 1 },
      { send: { id: 2, method: 'teleport', params: { path: 'whoami' } }, total: 2 },
      { send: call(null, 'query', 'whoami'), total: 3 },
      { send: 'PING', total: 4 },
      { send: call(5, 'query', 'whoami'), total: 5 },
    ], 'refusals');
    // Ours says what is wrong with a message that is not a call; tRPC names its first failed check.
    const plain = (frames: string[]) => frames.map((f, i) => (i === 1 ? JSON.parse(f).error.data.code : f));
    expect(plain(ours)).toEqual(plain(trpc));
    expect(JSON.parse(ours[1]!).error.message).toMatch(/^Not a tRPC message: method/);
    expect(ours[3]).toBe('PONG');
    expect(JSON.parse(ours[4]!).result.data).toEqual({ user: null });
  });

  it('streams a subscription: started, tracked data, stop, stopped, and nothing after', async () => {
    const { trpc, ours } = await play('', [
      { send: call(1, 'subscription', 'events', { count: 3 }), total: 4 },
      { send: call(1, 'subscription', 'events', { count: 3 }), total: 5 },
      { send: { id: 1, method: 'subscription.stop' }, total: 6 },
      { send: call(2, 'subscription', 'events', { count: 4 }, { lastEventId: '2' }), total: 9 },
      { send: { id: 2, method: 'subscription.stop' }, total: 10 },
    ], 'stream');
    expect(ours).toEqual(trpc);
    expect(JSON.parse(ours[1]!)).toEqual({ id: 1, result: { type: 'data', data: { id: '1', data: { n: 1 } }, id: '1' } });
    expect(JSON.parse(ours[4]!).error.message).toBe('Duplicate id 1');
    expect(JSON.parse(ours[5]!)).toEqual({ id: 1, result: { type: 'stopped' } });
    expect(ours.slice(6, 9).map((f) => JSON.parse(f).result.id)).toEqual([undefined, '3', '4']);
  });

  it('ends subscriptions from the server: done, an error after data, a refusal before start', async () => {
    const { trpc, ours } = await play('', [
      { send: call(1, 'subscription', 'finite'), total: 4 },
      { send: call(2, 'subscription', 'failing'), total: 8 },
      { send: call(3, 'subscription', 'refused'), total: 9 },
      { send: `{"id":4,"method":"subscription","params":{"path":"gated","input":"$GATE"}}`, total: 11 },
      { gate: true, total: 12 },
    ], 'server-ends');
    expect(ours).toEqual(trpc);
    expect(ours.slice(4, 8).map((f) => Object.keys(JSON.parse(f)).join())).toEqual(['id,result', 'id,result', 'id,error', 'id,result']);
    expect(JSON.parse(ours[8]!).error.data.code).toBe('UNAUTHORIZED');
  });

  it('takes connectionParams first when the URL asks for them', async () => {
    const { trpc, ours } = await play('?connectionParams=1', [
      { send: { method: 'connectionParams', data: { token: 'ada' } }, total: 0 },
      { send: call(1, 'query', 'secret'), total: 1 },
      { send: call(2, 'query', 'whoami'), total: 2 },
    ], 'params');
    expect(ours).toEqual(trpc);
    expect(JSON.parse(ours[1]!).result.data).toEqual({ user: 'ada' });
  });

  it('answers a context that cannot be made under id null, then closes the socket', async () => {
    const transcripts: { frames: string[]; code: number }[] = [];
    for (const url of [trpcUrl, oursUrl]) {
      const socket = await open(`${url}?connectionParams=1`);
      socket.send({ method: 'connectionParams', data: { token: 'bad' } });
      socket.send(call(1, 'query', 'whoami'));
      const code = await socket.closed;
      transcripts.push({ frames: socket.frames, code });
    }
    expect(transcripts[1]).toEqual(transcripts[0]);
    expect(JSON.parse(transcripts[1]!.frames[0]!)).toMatchObject({ id: null, error: { data: { code: 'UNAUTHORIZED' } } });
  });

  it('refuses connectionParams that are not strings', async () => {
    const transcripts: string[][] = [];
    for (const url of [trpcUrl, oursUrl]) {
      const socket = await open(`${url}?connectionParams=1`);
      socket.send({ method: 'connectionParams', data: { token: 42 } });
      await socket.closed;
      transcripts.push(socket.frames.map((f) => JSON.parse(f).error.data.code));
    }
    expect(transcripts[1]).toEqual(transcripts[0]);
    expect(transcripts[1]).toEqual(['PARSE_ERROR']);
  });

  it('sends the reconnect notice tRPC clients act on', async () => {
    const socket = await open(oursUrl);
    ours.broadcastReconnectNotification();
    expect(await socket.until(1)).toEqual([jsonEncoder.encode({ id: null, method: 'reconnect' })]);
    socket.close();
  });

  it('pings a quiet socket, keeps one that answers PONG and cuts off one that does not', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    const quick = new WsLinkServer<Ctx>({
      router, createContext, maxBatchSize: 3, encode: JSON.stringify, send: (ws, frame) => ws.send(frame, TEXT_FRAME), writeWire: noDirectSubscriptions,
      keepAlive: { pingMs: 100, pongWaitMs: 100 }, onError: () => undefined,
    });
    wss.on('connection', (ws, req) => {
      quick.connect(ws, req);
      ws.once('close', () => quick.disconnect(ws));
    });
    const url = await listen(wss);
    try {
      const answering = new WebSocket(url);
      const pings: string[] = [];
      answering.on('message', (data) => {
        pings.push(String(data));
        answering.send('PONG');
      });
      await once(answering, 'open');
      const silent = await open(url);
      expect(await silent.closed).toBe(1006); // terminated, no close frame
      expect(silent.frames[0]).toBe('PING');
      expect(answering.readyState).toBe(WebSocket.OPEN);
      expect(pings[0]).toBe('PING');
      answering.close();
    } finally {
      quick.close();
      wss.close();
    }
  });
});
