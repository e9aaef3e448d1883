// Process entry: `npm start` (server + worker in one process) or `npm run server` (--role=server).
import { parseConfig, ConfigError } from '@tandem/schema';
import { createRuntime, seedDemo } from '@tandem/core';
import { startWorkers } from '@tandem/worker';
import { seedDemoSales } from '@tandem/tools';
import { createHttpServer } from './http/server.ts';
import { startDemoAgents, type DemoAgents } from './demo-agents.ts';

const role = process.argv.includes('--role=server') ? 'server' : 'all';

async function main() {
  const config = parseConfig(process.env);
  const rt = await createRuntime(config);
  if (role === 'all') startWorkers(rt, { schedules: true });
  const app = createHttpServer(rt);
  const url = await app.listen(config.PORT, config.HOST);

  let demoAgents: DemoAgents | undefined;
  if (config.DEMO) {
    const demo = await seedDemo(rt.orm.em.fork());
    await seedDemoSales(rt.orm.em.fork(), demo.workspaceId);
    if (demo.login)
      console.log(`\n  Demo workspace created. Sign in with\n    email:    ${demo.login.email}\n    password: ${demo.login.password}\n  (shown once; stored hashed)\n`);
    // Simulated agents run in the one-process start only: several servers would each run a set.
    if (role === 'all') demoAgents = await startDemoAgents(rt, { serverUrl: url, workspaceId: demo.workspaceId });
  }
  console.log(`Tandem listening on ${url} (${config.mode} mode, ${role === 'all' ? 'server + worker' : 'server only'})`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.log.info({ signal }, 'shutting down');
    const hardStop = setTimeout(() => {
      rt.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 10_000);
    hardStop.unref();
    await demoAgents?.stop(); // flushes through the server, so before it closes
    await app.close();
    await rt.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
