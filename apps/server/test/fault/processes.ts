// Server and worker processes for fault-injection tests: real `npm run server` / `npm run worker`
// entry points, spawned with a given environment, killed and started again like in production.
import { spawn, type ChildProcess } from 'node:child_process';
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

function launch(entry: string, args: string[], env: Record<string, string>, readyLine: RegExp): Promise<{ proc: AppProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
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

/** `npm run worker`; resolves once its BullMQ workers run. */
export async function startWorkerProcess(env: Record<string, string>): Promise<AppProcess> {
  const { proc } = await launch('apps/worker/src/main.ts', [], env, /workers started/);
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
