// Our server side of tRPC's WebSocket protocol — what @trpc/client's wsLink speaks — in place of
// tRPC's ws adapter (issue 12). That adapter kept about 30 closures per connection and, per
// subscription, an async loop racing every `next()` against an abort promise: an idle viewer cost
// ~27 KB of heap beyond its socket (bench fanout). Here a connection is one object with listeners
// shared by every socket, keep-alive and token expiry one sweep for all sockets, a subscription one
// object, and a subscription that hands itself over (direct-delivery.ts) is attached to its socket
// with no frame sent and parked — not iterated, holding no promise — until its sink is detached.
// wslink-server.test.ts compares its frames with tRPC's own adapter's; test/wslink-conformance
// .server.test.ts drives the real @trpc/client through it, so a tRPC upgrade that changes the
// protocol fails a test, not production.
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import {
  TRPCError, callTRPCProcedure, getErrorShape, getTRPCErrorFromUnknown, isTrackedEnvelope, type AnyTRPCRouter,
} from '@trpc/server';
import type { z } from 'zod';
import { wsCallMessageSchema, wsConnectionParamsMessageSchema, wsStopMessageSchema, type WsCallMessage } from '@tandem/schema';
import { StopSignal } from '../subscriptions/stop-signal.ts';
import { TEXT_FRAME, sinkOf, type FrameSink, type FrameWriter, type Resumer } from './direct-delivery.ts';

const OPEN = 1; // WebSocket.OPEN
type RequestId = string | number | null;
type CallType = WsCallMessage['method'];
type ConnectionParams = Record<string, string> | null;

export interface WsLinkServerOptions<Ctx> {
  router: AnyTRPCRouter;
  /** Once per socket: at once, or with the first message's connectionParams when the URL asks for them. */
  createContext(input: { req: IncomingMessage; res: WebSocket; info: { connectionParams: ConnectionParams } }): Promise<Ctx>;
  /** Calls one frame may carry; every call of a bigger batch is refused. */
  maxBatchSize: number;
  /** A message as text (event-encoder.ts: an event many subscribers receive is serialised once). */
  encode(message: object): string | Uint8Array;
  /** Sends a frame, or cuts off a socket that stopped reading (websocket.ts). `corked`: may wait for the tick's other frames. */
  send(ws: WebSocket, frame: string | Uint8Array, corked: boolean): void;
  /** Writes a whole WebSocket frame of a direct subscription (direct-delivery.ts), bounded like `send`. */
  writeWire(ws: WebSocket, wire: Buffer): void;
  keepAlive: { pingMs: number; pongWaitMs: number };
  /**
   * When the socket's credentials expire (ms since the epoch): its subscriptions then end with
   * UNAUTHORIZED, checked by the same once-a-second sweep as keep-alive (no timer per subscription).
   */
  expiresAt?(ctx: Ctx): number | undefined;
  /** Errors of the adapter itself (a context that cannot be made, a failing error formatter); procedures log their own. */
  onError(error: TRPCError, where: { path?: string; type: CallType | 'unknown' }): void;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The connections of one WebSocketServer. `connect` is called once per accepted socket.
 */
export class WsLinkServer<Ctx> {
  private readonly connections = new Map<WebSocket, WsLinkConnection<Ctx>>();
  private readonly sweep: NodeJS.Timeout;
  /** One message listener for every socket (`this` is the socket) instead of a closure per socket. */
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;

  constructor(readonly opts: WsLinkServerOptions<Ctx>) {
    // One timer for every socket instead of two per socket and one per subscription: ping after
    // pingMs of silence, cut off pongWaitMs after an unanswered ping, end what expired (a check
    // every second, or every quarter of the shorter wait when that is less).
    const every = Math.max(50, Math.min(1000, opts.keepAlive.pingMs / 4, opts.keepAlive.pongWaitMs / 4));
    this.sweep = setInterval(() => this.keepAlive(Date.now()), every);
    this.sweep.unref();
    const { connections } = this;
    this.onMessage = function (data, isBinary) {
      connections.get(this)?.onMessage(data, isBinary);
    };
  }

  /** Reports an error no call can be answered with (shared by every connection: no closure per call). */
  readonly reportFailure = (cause: unknown) => this.opts.onError(getTRPCErrorFromUnknown(cause), { type: 'unknown' });

  /** A socket was accepted; call `disconnect` when it closes. */
  connect(ws: WebSocket, req: IncomingMessage): void {
    this.connections.set(ws, new WsLinkConnection(this, ws, req));
    ws.on('message', this.onMessage);
  }

  /** The socket closed: its subscriptions stop. */
  disconnect(ws: WebSocket): void {
    const connection = this.connections.get(ws);
    this.connections.delete(ws);
    connection?.closed();
  }

  /** Tells every client to reconnect (wsLink reconnects at once, resuming its subscriptions). */
  broadcastReconnectNotification(): void {
    const frame = JSON.stringify({ id: null, method: 'reconnect' });
    for (const c of this.connections.values()) if (c.ws.readyState === OPEN) c.ws.send(frame, TEXT_FRAME);
  }

  close(): void {
    clearInterval(this.sweep);
  }

  private keepAlive(now: number): void {
    const { pingMs, pongWaitMs } = this.opts.keepAlive;
    for (const c of this.connections.values()) {
      if (now >= c.expiresAt) c.expire();
      if (c.pingedAt !== 0) {
        if (now - c.pingedAt >= pongWaitMs) c.ws.terminate();
      } else if (now - c.heardAt >= pingMs && c.ws.readyState === OPEN) {
        c.pingedAt = now;
        c.ws.send('PING', TEXT_FRAME);
      }
    }
  }
}

/** A subscription of one connection: what `subscription.stop` and the socket's close end. */
class Subscription implements Resumer {
  readonly signal = new StopSignal();
  /** `stopped` was sent, or the socket closed: nothing more goes out for this id. */
  ended = false;
  /**
   * Handed off (direct-delivery.ts): the generator is suspended at its hand-off `yield` and
   * nothing iterates it until the sink is detached. 'attaching' while the sink's own hand-off code
   * runs (it may give the subscription straight back).
   */
  parked: 'no' | 'attaching' | 'yes' = 'no';
  sink: FrameSink | null = null;
  iterator: AsyncIterator<unknown> | null = null;

  constructor(
    readonly id: string | number, readonly jsonrpc: '2.0' | undefined, readonly call: Call,
    private readonly connection: { unpark(sub: Subscription): void },
  ) {}

  /** The sink was detached (direct-delivery.ts): iterate again. A method, not a closure per subscription. */
  resume(): void {
    this.connection.unpark(this);
  }
}

/** What an error shape of a subscription names (its input is not kept: memory per viewer). */
type Call = { path: string; type: CallType };

/** A connection's subscriptions by request id: one slot, and a Map once there are more. */
class Subscriptions {
  private one: Subscription | null = null;
  private more: Map<string | number, Subscription> | null = null;

  get(id: string | number): Subscription | undefined {
    return this.one?.id === id ? this.one : this.more?.get(id);
  }

  add(sub: Subscription): void {
    if (this.one === null) this.one = sub;
    else (this.more ??= new Map()).set(sub.id, sub);
  }

  remove(sub: Subscription): void {
    if (this.one === sub) this.one = null;
    else if (this.more?.get(sub.id) === sub) this.more.delete(sub.id);
  }

  all(): Subscription[] {
    return [...(this.one ? [this.one] : []), ...(this.more?.values() ?? [])];
  }

  clear(): void {
    this.one = null;
    this.more = null;
  }
}

type CtxResult<Ctx> = { ok: true; ctx: Ctx } | { ok: false; error: TRPCError };

/** One socket: its context, its subscriptions and its keep-alive clock. */
class WsLinkConnection<Ctx> implements FrameWriter {
  heardAt = Date.now();
  /** When a PING went out unanswered; 0 when none is pending. */
  pingedAt = 0;
  /** When the context's credentials expire (`expiresAt` option). */
  expiresAt = Infinity;
  private ctx: Ctx | undefined;
  /** Null until the connectionParams message came, when the URL said one would. */
  private ctxResult: Promise<CtxResult<Ctx>> | null;
  /** The URL asked for connectionParams and the first message has not come yet. */
  private awaitingParams: boolean;
  /** The socket's subscriptions: most sockets hold one, so one slot, and a Map only past it. */
  private readonly subscriptions = new Subscriptions();

  /** The upgrade request, until the context is made from it (then dropped: memory per viewer). */
  private req: IncomingMessage | null;

  constructor(private readonly server: WsLinkServer<Ctx>, readonly ws: WebSocket, req: IncomingMessage) {
    this.req = req;
    const wantsParams = new URL(req.url ?? '/', 'http://x').searchParams.get('connectionParams') === '1';
    this.awaitingParams = wantsParams;
    this.ctxResult = wantsParams ? null : this.createContext(null);
  }

  /** A direct subscription's frame (direct-delivery.ts): written at once, through the bounded send. */
  writeDirect(wire: Buffer): void {
    this.opts.writeWire(this.ws, wire);
  }

  /** The credentials expired: every subscription ends with UNAUTHORIZED (new calls are refused by the procedures). */
  expire(): void {
    this.expiresAt = Infinity;
    const error = new TRPCError({ code: 'UNAUTHORIZED', message: 'Your session has expired' });
    for (const sub of this.subscriptions.all()) {
      if (sub.ended) continue;
      this.respondError(sub.id, sub.jsonrpc, error, sub.call);
      this.stop(sub);
    }
  }

  closed(): void {
    for (const sub of this.subscriptions.all()) this.stop(sub);
    this.subscriptions.clear();
  }

  private get opts() {
    return this.server.opts;
  }

  private respond(message: object): void {
    if (this.ws.readyState === OPEN) this.opts.send(this.ws, this.opts.encode(message), true);
  }

  private respondError(id: RequestId, jsonrpc: '2.0' | undefined, cause: unknown, call: { path?: string; type: CallType | 'unknown'; input?: unknown }): void {
    this.respond({ id, jsonrpc, error: this.errorShape(getTRPCErrorFromUnknown(cause), call) });
  }

  /** The shape the client gets; a minimal one if the error formatter itself throws, so the call is still answered. */
  private errorShape(error: TRPCError, call: { path?: string; type: CallType | 'unknown'; input?: unknown }): unknown {
    try {
      return getErrorShape({ config: this.opts.router._def._config, error, type: call.type, path: call.path, input: call.input, ctx: this.ctx });
    } catch (cause) {
      this.opts.onError(getTRPCErrorFromUnknown(cause), call);
      return { code: -32603, message: 'Internal server error', data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 } };
    }
  }

  private async createContext(params: (() => ConnectionParams) | null): Promise<CtxResult<Ctx>> {
    try {
      const connectionParams = params ? params() : null;
      const req = this.req!;
      this.req = null;
      this.ctx = await this.opts.createContext({ req, res: this.ws, info: { connectionParams } });
      this.expiresAt = this.opts.expiresAt?.(this.ctx) ?? Infinity;
      this.ctxResult = null; // the context is kept as it is, not in a settled promise
      return { ok: true, ctx: this.ctx };
    } catch (cause) {
      // The socket is told why (id null), then closed: nothing on it can be served.
      const error = getTRPCErrorFromUnknown(cause);
      this.opts.onError(error, { type: 'unknown' });
      this.respondError(null, undefined, error, { type: 'unknown' });
      setImmediate(() => this.ws.close());
      return { ok: false, error };
    }
  }

  onMessage(data: RawData, isBinary: boolean): void {
    this.heardAt = Date.now();
    this.pingedAt = 0;
    if (!isBinary && Buffer.isBuffer(data) && data.length === 4) {
      const text = data.toString();
      if (text === 'PONG') return;
      if (text === 'PING') return this.opts.send(this.ws, 'PONG', false);
    }
    if (isBinary || !Buffer.isBuffer(data)) {
      return this.respondError(null, undefined, new TRPCError({ code: 'PARSE_ERROR', message: 'Binary frames are not accepted: send JSON in text frames' }), { type: 'unknown' });
    }
    const text = data.toString('utf8');
    if (this.awaitingParams) {
      this.awaitingParams = false;
      this.ctxResult = this.createContext(() => connectionParamsOf(text));
      return;
    }
    const messages = this.parseCalls(text);
    for (let i = 0; i < messages.length; i++) {
      this.handle(messages[i]!, i).catch(this.server.reportFailure);
    }
  }

  /** The calls of one frame, or none (each refusal answered here) when it is malformed or too big a batch. */
  private parseCalls(text: string) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      this.respondError(null, undefined, new TRPCError({ code: 'PARSE_ERROR', cause }), { type: 'unknown' });
      return [];
    }
    const raw = Array.isArray(json) ? json : [json];
    if (Array.isArray(json) && raw.length > this.opts.maxBatchSize) {
      // Every call of the batch is refused under its own id, so the client's promises settle.
      const error = new TRPCError({ code: 'BAD_REQUEST', message: 'Batch call exceeds maximum size' });
      const shape = this.errorShape(error, { type: 'unknown' });
      const ids = raw.filter((m) => isObject(m) && m.method !== 'subscription.stop' && (typeof m.id === 'number' || typeof m.id === 'string'));
      for (const m of ids) this.respond({ id: m.id, jsonrpc: m.jsonrpc === '2.0' ? '2.0' : undefined, error: shape });
      if (!ids.length) this.respond({ id: null, error: shape });
      return [];
    }
    const parsed = raw.map((m) => (isObject(m) && m.method === 'subscription.stop' ? wsStopMessageSchema : wsCallMessageSchema).safeParse(m));
    const bad = parsed.find((p) => !p.success);
    if (bad) {
      this.respondError(null, undefined, new TRPCError({ code: 'PARSE_ERROR', message: `Not a tRPC message: ${firstIssue(bad.error)}` }), { type: 'unknown' });
      return [];
    }
    return parsed.map((p) => p.data!);
  }

  private async handle(msg: ReturnType<WsLinkConnection<Ctx>['parseCalls']>[number], batchIndex: number): Promise<void> {
    const { id, jsonrpc } = msg;
    if (id === null) {
      return this.respondError(null, jsonrpc, new TRPCError({ code: 'PARSE_ERROR', message: '`id` is required' }), { type: 'unknown' });
    }
    if (msg.method === 'subscription.stop') {
      const sub = this.subscriptions.get(id);
      if (sub) this.stop(sub);
      return;
    }
    const { path, lastEventId } = msg.params;
    const type = msg.method;
    let input = msg.params.input;
    // wsLink sends the resume point beside the input; procedures read it as `input.lastEventId`.
    if (lastEventId !== undefined) input = isObject(input) ? { ...input, lastEventId } : input ?? { lastEventId };
    const call = { path, type, input };

    if (type !== 'subscription') {
      try {
        const ctx = await this.context();
        const result = await callTRPCProcedure({ router: this.opts.router, path, getRawInput: async () => input, ctx, type, signal: undefined, batchIndex });
        if (isAsyncIterable(result))
          throw new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: `Cannot return an async iterable or observable from a ${type} procedure with WebSockets` });
        this.respond({ id, jsonrpc, result: { type: 'data', data: result } });
      } catch (cause) {
        this.respondError(id, jsonrpc, cause, call);
      }
      return;
    }

    if (this.subscriptions.get(id)) return this.respondError(id, jsonrpc, new TRPCError({ code: 'BAD_REQUEST', message: `Duplicate id ${id}` }), call);
    // Registered before anything is awaited, so a stop or a close during setup reaches it.
    const sub = new Subscription(id, jsonrpc, { path, type }, this);
    this.subscriptions.add(sub);
    let iterable: AsyncIterable<unknown>;
    try {
      const ctx = await this.context();
      if (sub.ended) return this.forget(sub);
      const result = await callTRPCProcedure({ router: this.opts.router, path, getRawInput: async () => input, ctx, type, signal: sub.signal.asAbortSignal(), batchIndex });
      if (!isAsyncIterable(result))
        throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `Subscription ${path} did not return an AsyncGenerator` });
      iterable = result;
    } catch (cause) {
      this.forget(sub);
      const error = getTRPCErrorFromUnknown(cause);
      // A setup given up because the subscription was stopped is no error to report.
      if (!(sub.signal.aborted && error.code === 'INTERNAL_SERVER_ERROR' && isAbortError(error.cause))) this.respondError(id, jsonrpc, error, call);
      return;
    }
    const iterator = iterable[Symbol.asyncIterator]();
    if (sub.ended) {
      // Stopped while it was being set up: let the generator run its cleanup.
      await iterator.return?.().catch(() => undefined);
      return this.forget(sub);
    }
    sub.iterator = iterator;
    this.respond({ id, jsonrpc, result: { type: 'started' } });
    // Not awaited: the call is answered, and no promise of it stays pending for the subscription's
    // life. `iterate` answers the client's errors itself; what is left (a reply that cannot be
    // encoded) goes to the one shared reporter.
    this.iterate(sub, iterator).catch(this.server.reportFailure);
  }

  /**
   * Sends what the subscription yields until it ends, is stopped, or hands itself off. A hand-off
   * attaches its sink to this socket and sends nothing; iterating stops there, so an idle viewer
   * holds no promise at all — its generators wait suspended at their `yield` — until the sink is
   * detached (stopped, or back to pulling) and `unpark` iterates again.
   */
  private async iterate(sub: Subscription, iterator: AsyncIterator<unknown>): Promise<void> {
    const { id, jsonrpc } = sub;
    let done = false;
    try {
      while (!sub.ended) {
        const next = await iterator.next();
        if (next.done) done = true;
        if (sub.ended || next.done) break;
        const sink = sinkOf(next.value);
        if (!sink) this.respond({ id, jsonrpc, result: dataResult(next.value) });
        else if (this.ws.readyState === OPEN) {
          sub.parked = 'attaching';
          sub.sink = sink;
          sink.attach(this.ws, id, jsonrpc, this, sub);
          if (sub.parked === 'attaching') {
            sub.parked = 'yes';
            return;
          }
        }
        // Not attached (the socket is closing) or handed straight back: the generator goes on.
      }
    } catch (cause) {
      done = true;
      if (!sub.ended) this.respondError(id, jsonrpc, cause, sub.call);
    }
    if (!done) await iterator.return?.().catch(() => undefined);
    // Ended by the procedure (done or an error): say so. Stopped by the client or a close: said already.
    this.stop(sub);
    this.forget(sub);
  }

  /** The sink was detached: iterate the generator again (it ends if the subscription was stopped). */
  unpark(sub: Subscription): void {
    const was = sub.parked;
    sub.parked = 'no';
    sub.sink = null;
    if (was === 'yes') this.iterate(sub, sub.iterator!).catch(this.server.reportFailure);
  }

  /** Ends a subscription: its signal aborts (sinks detach at once), then `stopped`, and not one frame after it. */
  private stop(sub: Subscription): void {
    if (sub.ended) return;
    sub.ended = true;
    sub.signal.abort(); // a direct subscription's sources detach their sinks here, which unparks it
    sub.sink?.detach(); // and one that did not is unparked all the same, to run its cleanup
    this.respond({ id: sub.id, jsonrpc: sub.jsonrpc, result: { type: 'stopped' } });
  }

  private forget(sub: Subscription): void {
    this.subscriptions.remove(sub);
  }

  /** The socket's context; a call waits for it (connectionParams may not have come yet). */
  private async context(): Promise<Ctx> {
    if (this.ctx !== undefined) return this.ctx;
    const result = await this.ctxResult!;
    if (!result.ok) throw result.error;
    return result.ctx;
  }
}

/** What tRPC sends for a value: a tracked envelope `[id, data]` carries its id twice, as the client expects. */
function dataResult(value: unknown): object {
  if (!isTrackedEnvelope(value)) return { type: 'data', data: value };
  const [id, data] = value;
  return { type: 'data', data: { id, data }, id };
}

/**
 * The first message's connection params. Its `data` is what counts (tRPC reads nothing else).
 * Refusals say what is wrong in words; the zod error is not their cause, since the error
 * formatter (trpc.ts) would present it as form fields.
 */
function connectionParamsOf(text: string): ConnectionParams {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new TRPCError({ code: 'PARSE_ERROR', message: `Malformed connectionParams message: ${(cause as Error).message}` });
  }
  const parsed = wsConnectionParamsMessageSchema.safeParse(json);
  if (!parsed.success) throw new TRPCError({ code: 'PARSE_ERROR', message: `Invalid connection params: ${firstIssue(parsed.error)}` });
  return parsed.data.data;
}

const firstIssue = (error: z.ZodError): string => {
  const issue = error.issues[0]!;
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
};

const isAsyncIterable = (v: unknown): v is AsyncIterable<unknown> =>
  isObject(v) && typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';

const isAbortError = (e: unknown): boolean => isObject(e) && (e as { name?: unknown }).name === 'AbortError';
