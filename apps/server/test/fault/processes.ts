// Server and worker processes for fault-injection tests: real `npm run server` / `npm run worker`
// entry points, spawned with a given environment, killed and started again like in production.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../../../..');

export interface AppProcess {
  child: ChildProcess;
  /** Everything it printed so far (logs, for failure messages). */
  output(): string;
  /** Whether it is still running. */
  alive(): boolean;
  /** Sends a signal and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ServerProcess extends AppProcess {
  url: string;
}

/** TypeScript entries run through tsx; a built bundle (.mjs) runs as it is. */
function launch(entry: string, args: string[], env: Record<string, string>, readyLine: RegExp): Promise<{ proc: AppProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [...(entry.endsWith('.ts') ? ['--import', 'tsx'] : ['--enable-source-maps']), entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', DEMO: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const proc: AppProcess = {
    child,
    output: () => out,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill(signal = 'SIGKILL') {
      if (!proc.alive()) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    // Generous: four processes starting at once on a busy two-core machine take a while.
    const timer = setTimeout(() => reject(new Error(`${entry} did not start within 120 s:\n${out}`)), 120_000);
    const onData = (d: Buffer) => {
      out += d;
      const match = out.match(readyLine);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.on('data', (more: Buffer) => (out += more));
        resolve({ proc, match });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code ?? signal}) before it was ready:\n${out}`));
    });
  });
}

/** `npm run server` on a free port (`npm start`, server and worker in one, with `withWorkers`); resolves once it listens. */
export async function startServerProcess(env: Record<string, string>, opts: { withWorkers?: boolean } = {}): Promise<ServerProcess> {
  const entry = opts.withWorkers ? 'apps/standalone/src/main.ts' : 'apps/server/src/main.ts';
  const { proc, match } = await launch(entry, [], { PORT: '0', ...env }, /Tandem listening on (\S+)/);
  return Object.assign(proc, { url: match[1]! });
}

let workerBuilt = false;
/**
 * `npm run worker` as production runs it: the bundle (scripts/build-node-app.mjs), built first if
 * its sources changed (Nx caches the build; `npm test` has built it already). Resolves once its
 * BullMQ workers run.
 */
export async function startWorkerProcess(env: Record<string, string>): Promise<AppProcess> {
  if (!workerBuilt) {
    const r = spawnSync('npx', ['nx', 'run', '@tandem/worker:build', '--output-style=static'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    });
    if (r.status !== 0) throw new Error(`worker build failed:\n${r.stdout}${r.stderr}`);
    workerBuilt = true;
  }
  const { proc } = await launch('apps/worker/dist/main.mjs', [], env, /workers started/);
  return proc;
}

/** The last lines each process printed (but the connection-refused noise of an outage), to read beside a failed assertion. */
export function tails(procs: Record<string, AppProcess | undefined>, lines = 40): string {
  return Object.entries(procs)
    .map(([name, p]) => {
      const out = p?.output().split('\n').filter((l) => !l.includes('ECONNREFUSED')).slice(-lines).join('\n');
      return `--- ${name} ---\n${out ?? '(not started)'}`;
    })
    .join('\n');
}
