// The one HTTP server: tRPC (HTTP + WebSocket on /trpc), health, metrics, and the web app.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { AppError } from '@tandem/core';
import { appRouter } from '../routers/_app.ts';
import { makeCreateContext } from '../context.ts';
import type { ServerServices } from '../services.ts';
import { makeStaticHandler } from './static-files.ts';
import { WEB_DIST } from '../web-dist.ts';
import { TRPC_MAX_BATCH_SIZE, attachWebSocket } from '../ws/websocket.ts';
import { handleApi } from './api/index.ts';
import { handleOtlp, isOtlpPath } from './otlp/otlp-routes.ts';
import { sendJson } from './api/respond.ts';
import { handleMcp } from '../mcp/mcp-endpoint.ts';

export const HTTP_MAX_BODY_BYTES = 1024 * 1024;

/** Subscriptions are served over the WebSocket only (its caps apply there); see trpc.ts. */
const SUBSCRIPTIONS = new Set(Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
  .flatMap(([path, p]) => (p._def.type === 'subscription' ? [path] : [])));

/** `/trpc/a,b` names a subscription: answered 405 in tRPC's error shape, before tRPC streams anything. */
function refuseSubscription(res: ServerResponse, path: string): boolean {
  const called = path.slice('/trpc/'.length).split(',').find((p) => SUBSCRIPTIONS.has(p.replace(/%2e/gi, '.')));
  if (!called) return false;
  sendJson(res, 405, { error: { message: 'Subscriptions are served over the WebSocket only', code: -32005, data: { code: 'METHOD_NOT_SUPPORTED', httpStatus: 405, path: called } } });
  return true;
}

/** The metrics label of a path: a small fixed set, never raw paths (unbounded cardinality). */
function routeLabel(path: string): string {
  if (path.startsWith('/trpc/')) return 'trpc';
  if (path === '/healthz' || path === '/readyz' || path === '/metrics' || path === '/mcp' || isOtlpPath(path)) return path;
  return path.startsWith('/api/') ? 'api' : 'static';
}

/** The HTTP + WebSocket server of one set of server services (services.ts builds them). */
export function createHttpServer(services: ServerServices, opts: { webDist?: string } = {}) {
  const { rt, prometheus } = services;
  const trpc = createHTTPHandler({
    router: appRouter,
    createContext: makeCreateContext(services, 'http') as never,
    basePath: '/trpc/',
    maxBodySize: HTTP_MAX_BODY_BYTES,
    maxBatchSize: TRPC_MAX_BATCH_SIZE,
    // Rate-limited answers say when to come back (docs/reliability.md §13): Retry-After in whole seconds.
    responseMeta({ errors }) {
      const retryAfterMs = Math.max(0, ...errors.map((e) => (e.cause instanceof AppError ? e.cause.details.retryAfterMs ?? 0 : 0)));
      return retryAfterMs > 0 ? { headers: { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } } : {};
    },
  });
  const serveStatic = makeStaticHandler(opts.webDist ?? WEB_DIST);

  const route = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (path.startsWith('/trpc/')) {
      const encoding = req.headers['content-encoding'];
      if (encoding && encoding !== 'identity') {
        sendJson(res, 415, { error: 'Content-Encoding is not supported on /trpc' });
        return;
      }
      if (refuseSubscription(res, path)) return;
      await trpc(req, res);
      return;
    }
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/readyz') {
      const ready = await services.readiness.check();
      sendJson(res, ready.ok ? 200 : 503, ready);
      return;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': prometheus.registry.contentType }).end(await prometheus.registry.metrics());
      return;
    }
    if (path === '/mcp') {
      await handleMcp(services, req, res);
      return;
    }
    if (isOtlpPath(path)) {
      await handleOtlp(services, req, res, path);
      return;
    }
    if (path.startsWith('/api/')) {
      await handleApi({ services, req, res, url: new URL(req.url ?? '/', 'http://x') });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'Method not allowed' });
      return;
    }
    await serveStatic(req, res);
  };

  const server = createServer({ requestTimeout: 60_000, headersTimeout: 15_000 }, (req, res) => {
    const started = performance.now();
    const reqId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) ?? randomUUID();
    res.setHeader('x-request-id', reqId);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const label = routeLabel(path);
    // Logged when the response is finished: tRPC's handler returns before it has answered.
    res.once('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      prometheus.httpRequests.inc({ route: label, status: String(res.statusCode) });
      prometheus.httpDuration.observe({ route: label }, seconds);
      if (label === 'static' || path === '/healthz') return;
      // Agents post samples every second or so: accepted ingestion is debug, anything else info.
      const level = (path === '/api/v1/metrics' && res.statusCode === 202) || (isOtlpPath(path) && res.statusCode === 200) ? 'debug' : 'info';
      rt.log[level]({ reqId, userId: services.requestUsers.get(req), method: req.method, path, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    route(req, res, path).catch((err: unknown) => {
        rt.log.error({ err, reqId, path }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'Internal error', requestId: reqId });
        else res.destroy();
      });
  });
  // A request Node cannot parse (a URL or headers over 16 KiB, bad syntax) gets its 4xx, not a reset.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  const ws = attachWebSocket(server, services);

  return {
    server,
    services,
    listen(port: number, host: string): Promise<string> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const addr = server.address();
          const actual = typeof addr === 'object' && addr ? addr.port : port;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${actual}`);
        });
      });
    },
    /** Stop accepting, send sockets a reconnect notice, let in-flight requests finish. */
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await ws.shutdown();
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 5000).unref();
      await closed;
      // Alert evaluations of samples already committed finish before the runtime closes under them.
      await services.ingestion.alerts.close();
      await services.userQueries.close();
    },
  };
}
