// Starts the real Tandem server (embedded mode, fresh data dir) for browser tests, and stops it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface TestServer {
  url: string;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const readyPattern = /Tandem listening on (http:\/\/\S+)/;
const startTimeoutMs = 120_000; // a loaded 2-core machine has taken 70 s
const stopTimeoutMs = 15_000;

export async function startTestServer(extraEnv: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-e2e-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DEMO: '0',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;

  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/standalone/src/main.ts'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  // Kept so a failed start can say why.
  let output = '';
  const remember = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 20_000) output = output.slice(-20_000);
  };
  child.stderr.on('data', remember);

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const url = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(
        () => reject(new Error(`Tandem server did not print "Tandem listening on …" within ${startTimeoutMs / 1000} s`)),
        startTimeoutMs,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        remember(chunk);
        buffered += chunk.toString();
        const match = readyPattern.exec(buffered);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`Tandem server exited with code ${code} before it was ready`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return { url, stop, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}\n--- server output ---\n${output.trim() || '(none)'}`);
  }
}
