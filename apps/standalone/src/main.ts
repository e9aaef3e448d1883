// `npm start`: server + worker in one process (embedded mode's usual shape; also works against
// PostgreSQL and Redis). The demo agents run here only, so several servers never run several sets.
import { serveOrExit } from '@tandem/server/serve';
import { startWorkers } from '@tandem/worker';

serveOrExit({ label: 'server + worker', withRuntime: (rt) => startWorkers(rt, { schedules: true }), demoAgents: true });
