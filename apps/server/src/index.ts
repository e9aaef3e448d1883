// The web client imports this type and nothing else from the server.
export type { AppRouter } from './routers/_app.ts';
