// `npm run server`: a server-only process (services mode runs several, and workers apart).
// The one-process start (server + worker, `npm start`) is apps/standalone.
import { serveOrExit } from './serve.ts';

serveOrExit({ label: 'server only' });
