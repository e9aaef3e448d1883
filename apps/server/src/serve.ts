// Runs one server process: configuration → runtime → server services → HTTP server, demo data,
// graceful shutdown. `npm run server` runs it alone; apps/standalone adds the workers (`npm start`).
import { parseConfig, ConfigError } from '@tandem/schema';
import { createRuntime, seedDemo, type Runtime } from '@tandem/core';
import { seedDemoSales } from '@tandem/tools';
import { createServerServices } from './services.ts';
import { createHttpServer } from './http/server.ts';
import { startDemoAgents, type DemoAgents } from './demo-agents.ts';

export interface ServeOptions {
  /** Said in the start-up line, e.g. "server only". */
  label: string;
  /** Runs on the runtime before the server listens (the one-process start adds its workers here). */
  withRuntime?: (rt: Runtime) => void;
  /**
   * Simulated demo agents (DEMO=1) post to this server. Only the one-process start runs them:
   * several servers would each run a set.
   */
  demoAgents?: boolean;
}

export async function serve(opts: ServeOptions): Promise<void> {
  const config = parseConfig(process.env);
  const rt = await createRuntime(config);
  opts.withRuntime?.(rt);
  const app = createHttpServer(createServerServices(rt));
  const url = await app.listen(config.PORT, config.HOST);

  let demoAgents: DemoAgents | undefined;
  if (config.DEMO) {
    const demo = await seedDemo(rt.orm.em.fork());
    await seedDemoSales(rt.orm.em.fork(), demo.workspaceId);
    if (demo.login)
      console.log(`\n  Demo workspace created. Sign in with\n    email:    ${demo.login.email}\n    password: ${demo.login.password}\n  (shown once; stored hashed; change it under Account once signed in)\n`);
    if (opts.demoAgents) demoAgents = await startDemoAgents(rt, { serverUrl: url, workspaceId: demo.workspaceId });
  }
  console.log(`Tandem listening on ${url} (${config.mode} mode, ${opts.label})`);

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

/** Process entry wrapper: a configuration error is one clear line and exit code 2. */
export function serveOrExit(opts: ServeOptions): void {
  serve(opts).catch((err: unknown) => {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  });
}
