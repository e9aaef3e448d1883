// What benches and tests outside this app build a server from (`@tandem/server/embed`): the
// composition root, the HTTP + WebSocket server, and the live-feed pacing they measure against.
export { createServerServices, type ServerServices } from './services.ts';
export { createHttpServer } from './http/server.ts';
export { LIVE_BATCH_MS } from './subscriptions/metrics-live.ts';
