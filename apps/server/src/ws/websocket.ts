// tRPC over WebSocket (wslink-server.ts speaks wsLink's protocol) with its hardening (docs/reliability.md,
// docs/security.md).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { TRPCError } from '@trpc/server';
import { appRouter } from '../routers/_app.ts';
import { makeCreateContext, type CreateContextInput } from '../context.ts';
import { addressKey } from '../http/client-address.ts';
import type { Prometheus } from '../http/prometheus.ts';
import type { ServerServices } from '../services.ts';
import { createEventEncoder } from '../subscriptions/event-encoder.ts';
import { TEXT_FRAME } from './direct-delivery.ts';
import { WsLinkServer } from './wslink-server.ts';

export const WS_MAX_PAYLOAD = 1024 * 1024;
/** Calls in one tRPC batch, on HTTP and on the WebSocket alike. */
export const TRPC_MAX_BATCH_SIZE = 50;
/** A socket whose unsent data passes this is a slow consumer: closed so it cannot hold memory. */
export const WS_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Close code for slow consumers (documented in the README); the client resumes from its last id. */
export const WS_CLOSE_SLOW_CONSUMER = 4008;

export function isAllowedOrigin(origin: string | undefined, host: string | undefined, extra: string[]): boolean {
  if (!origin) return true; // non-browser clients send no Origin; browsers always do
  if (extra.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** `ws` exposes no cork and no way to write a frame it did not make; its socket is `_socket` (stable across ws 8.x). */
const rawSocketOf = (ws: WebSocket) => (ws as unknown as { _socket: Duplex })._socket;

/**
 * Sends a frame unless the socket holds more unsent data than the bound: a client that stops
 * reading is cut off (and told why) instead of growing our memory. `corked` frames — replies and a
 * subscription catching up — wait for the rest of the tick's frames and leave in one write.
 * `writeWire` writes a direct subscription's frame (direct-delivery.ts), already a whole WebSocket
 * frame shared by every socket, at once in one plain write: the hub writes one frame per socket and
 * event, so a cork until the next tick only cost a callback per socket (bench fanout). It goes
 * around `ws`'s Sender, which writes straight to the same socket too as long as it neither
 * compresses (no permessage-deflate here) nor reads a Blob (never sent here), so order is kept;
 * a corked socket queues each write behind the ones before it.
 */
function boundedSender(metrics: Prometheus) {
  const corkedSockets = new WeakSet<object>();
  const uncork = (socket: { uncork(): void }) => {
    corkedSockets.delete(socket);
    socket.uncork();
  };
  const withinBound = (ws: WebSocket): boolean => {
    if (ws.bufferedAmount <= WS_MAX_BUFFERED_BYTES) return true;
    if (ws.readyState === ws.OPEN) {
      metrics.wsSlowConsumers.inc();
      ws.close(WS_CLOSE_SLOW_CONSUMER, 'slow consumer');
      setTimeout(() => ws.terminate(), 1000).unref();
    }
    return false;
  };
  return {
    send(ws: WebSocket, frame: string | Uint8Array, corked: boolean): void {
      if (!withinBound(ws)) return;
      const socket = corked ? rawSocketOf(ws) : undefined;
      if (socket && !corkedSockets.has(socket)) {
        corkedSockets.add(socket);
        socket.cork();
        process.nextTick(uncork, socket);
      }
      ws.send(frame, TEXT_FRAME);
    },
    writeWire(ws: WebSocket, wire: Buffer): void {
      if (withinBound(ws)) rawSocketOf(ws).write(wire);
    },
  };
}

/**
 * Serves /trpc on `server` with that hardening: Origin allow-list and sockets per client address on
 * upgrade, sockets per user and an authentication deadline (socket-caps.ts), maxPayload, bounded
 * send buffers, reconnect notice on shutdown.
 */
export function attachWebSocket(server: Server, services: ServerServices) {
  const { rt, prometheus: metrics, sockets } = services;
  // No permessage-deflate (ws's default, said here because direct frames are written around ws's Sender: see boundedSender).
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD, perMessageDeflate: false });
  const createContext = makeCreateContext(services, 'ws');
  const encoder = createEventEncoder();
  const handler = new WsLinkServer({
    router: appRouter,
    // Runs once per socket, with its connectionParams: a valid token authenticates the socket.
    createContext: async (opts: CreateContextInput & { res: WebSocket }) => {
      const ctx = await createContext(opts);
      if (ctx.claims && ctx.claims.expiresAt > Date.now() && !sockets.authenticated(opts.res, ctx.claims.userId)) {
        metrics.wsRejected.inc({ reason: 'sockets per user' });
        // The adapter answers this and closes the socket.
        throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `At most ${rt.limits.socketsPerUser} open connections per user` });
      }
      return ctx;
    },
    keepAlive: { pingMs: 30_000, pongWaitMs: 10_000 },
    // A token that expires while its socket is open ends the socket's subscriptions (docs/reliability.md §15).
    expiresAt: (ctx) => ctx.claims?.expiresAt,
    // As on HTTP: one frame never starts more than this many calls (every call of a bigger batch is refused).
    maxBatchSize: TRPC_MAX_BATCH_SIZE,
    encode: (message) => encoder.encode(message),
    ...boundedSender(metrics),
    onError: (err, where) => rt.log.debug({ err: err.message, code: err.code, ...where }, 'ws call refused'),
  });

  // Listeners shared by every socket (`this` is the socket), not closures per socket (bench fanout:
  // memory per idle viewer).
  const onError = (err: Error) => rt.log.debug({ err: err.message }, 'ws error');
  const onClose = function (this: WebSocket) {
    metrics.wsConnections.dec();
    sockets.closed(this);
    handler.disconnect(this);
  };
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    metrics.wsConnections.inc();
    sockets.opened(ws);
    handler.connect(ws, req);
    ws.on('error', onError);
    ws.on('close', onClose); // 'close' comes once; `once` would wrap the listener per socket
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const reject = (status: number, reason: string) => {
      metrics.wsRejected.inc({ reason });
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/trpc' && path !== '/trpc/') return reject(404, 'Not Found');
    if (!isAllowedOrigin(req.headers.origin, req.headers.host, rt.config.allowedOrigins)) return reject(403, 'Forbidden');
    if (!sockets.admitAddress(addressKey(services.clientAddress(req)), socket)) return reject(429, 'Too Many Requests');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  return {
    wss,
    /** Tells clients to reconnect elsewhere, then closes every socket with 1012 (service restart). */
    async shutdown(): Promise<void> {
      handler.broadcastReconnectNotification();
      await new Promise((r) => setTimeout(r, 100));
      for (const ws of wss.clients) ws.close(1012, 'server restarting');
      handler.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
