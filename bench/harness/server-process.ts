// The processes a bench measures: our server (its own process in services mode, as in production;
// in this process when embedded) and a baseline started the same way.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TEST_REDIS_URL, TEST_TENANT_LIMITS, type TestRuntime } from '@tandem/core/testing';
import { createHttpServer, createServerServices } from '@tandem/server/embed';
import { startWorkers } from '@tandem/worker';

export interface Running {
  url: string;
  /** The process serving `url` (this one when embedded), for its CPU time and RSS (process-stats.ts). */
  pid: number;
  /** Its inspector's WebSocket URL, when started with `--inspect` (retained heap: process-stats.ts). */
  inspector?: string;
  close(): Promise<void>;
}

/** Node's inspector on a free port of the loopback address: the bench asks it for a GC and the heap in use. */
export const INSPECT = '--inspect=127.0.0.1:0';

const ROOT = join(import.meta.dirname, '../..');
/** Directory for CPU profiles of the server and worker processes (services mode), to find the hot path. */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;

/** Extra `node` flags for the server and worker processes (services mode), e.g. `--trace-gc`, to try a V8 setting. */
const EXTRA_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const profileArgs = () => [...EXTRA_FLAGS, ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])];

/** Starts `node <args>` and resolves with the first URL it prints after `marker`; killed when the bench exits. */
export function spawnPrinting(args: string[], env: Record<string, string>, marker: RegExp): Promise<Running> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.once('exit', () => child.kill('SIGKILL')); // never leave a server behind
  let out = ''; // both streams, for the error
  let stdout = ''; // the marker's (the inspector announces itself on stderr with a URL too)
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    out += d;
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      stdout += d;
      const m = marker.exec(stdout);
      const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
      if (m) resolve({ url: m[1]!, pid: child.pid!, ...(inspector ? { inspector } : {}), close: () => stop(child) });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${out.slice(-4000)}`)));
  });
}

/**
 * `node` arguments that run an app as production does (`npm run worker`, `npm run server`, the
 * compose file): its bundle, built first if its sources changed (Nx caches the build).
 */
export function builtAppArgs(app: 'worker' | 'server'): string[] {
  const r = spawnSync('npx', ['nx', 'run', `@tandem/${app}:build`, '--output-style=static'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  });
  if (r.status !== 0) throw new Error(`${app} build failed`);
  return ['--enable-source-maps', `apps/${app}/dist/main.mjs`];
}

/** A worker: its own process running the bundle in services mode (its RSS can be measured), else in this process. */
export async function startWorkerUnderTest(rt: TestRuntime, mode: 'embedded' | 'services'): Promise<Running> {
  if (mode === 'embedded') {
    startWorkers(rt);
    return { url: '', pid: process.pid, close: async () => undefined };
  }
  return spawnPrinting([...profileArgs(), ...builtAppArgs('worker')],
    { DATABASE_URL: rt.databaseUrl, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: rt.queues.target.prefix, DATA_DIR: rt.dataDir, LOG_LEVEL: 'info' },
    /(workers) started/);
}

const stop = (child: ChildProcess) => new Promise<void>((resolve) => {
  child.once('exit', () => resolve());
  child.kill('SIGTERM');
});

/** `npm run server` on the bench's database and Redis (services), or an in-process server (embedded). */
export async function startServerUnderTest(rt: TestRuntime, mode: 'embedded' | 'services', opts: { inspect?: boolean } = {}): Promise<Running> {
  if (mode === 'embedded') {
    const app = createHttpServer(createServerServices(rt));
    return { url: await app.listen(0, '127.0.0.1'), pid: process.pid, close: () => app.close() };
  }
  return spawnPrinting(
    [...profileArgs(), ...(opts.inspect ? [INSPECT] : []), ...builtAppArgs('server')],
    { DATABASE_URL: rt.databaseUrl, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: rt.queues.target.prefix, DATA_DIR: rt.dataDir, PORT: '0', HOST: '127.0.0.1', DEMO: '0', LOG_LEVEL: 'warn',
      // Every bench subscriber is one user on 127.0.0.1: lift the per-user and per-address socket caps.
      WS_MAX_SOCKETS_PER_USER: '100000', WS_MAX_SOCKETS_PER_ADDRESS: '100000',
      // The ingest bench is one key and one workspace sending as fast as it can.
      ...TEST_TENANT_LIMITS },
    /listening on (http:\/\/\S+)/,
  );
}
