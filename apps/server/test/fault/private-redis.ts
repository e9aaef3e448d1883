// A private redis-server for outage tests: its own port, no persistence, stopped and started
// again on the same port. Never touches the machine's shared Redis.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { pino } from 'pino';
import { RedisBus, randomPrefix } from '@tandem/core';
import { sparePort } from './ports.ts';

export interface PrivateRedis {
  url: string;
  port: number;
  /** Stops it (SIGTERM, or SIGKILL with `hard`) and waits until it has exited. */
  stop(opts?: { hard?: boolean }): Promise<void>;
  /** Starts it again on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open and nothing answers, like a stalled server. */
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export const redisServerAvailable = () => spawnSync('redis-server', ['--version']).status === 0;

/** Data does not survive a restart (`--save "" --appendonly no`), as when a cache node is replaced. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await sparePort();
  let proc: ChildProcess | null = null;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc = child;
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${port}:\n${out}`)), 10_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${out}`));
      });
    });

  const stop = async (opts: { hard?: boolean } = {}) => {
    const child = proc;
    proc = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(opts.hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };

  await start();
  const signal = (sig: NodeJS.Signals) => () => void (proc)?.kill(sig);
  return {
    url: `redis://127.0.0.1:${port}`, port, start, stop, freeze: signal('SIGSTOP'), thaw: signal('SIGCONT'),
    close: () => stop({ hard: true }),
  };
}

/** A private Redis with two RedisBus clients on it (one publishes, one subscribes), ready. */
export async function startRedisWithBuses(label: string): Promise<{ redis: PrivateRedis; publisher: RedisBus; subscriber: RedisBus; close(): Promise<void> }> {
  const redis = await startPrivateRedis();
  const prefix = `${randomPrefix(label)}:`;
  const publisher = new RedisBus(redis.url, prefix, pino({ level: 'silent' }));
  const subscriber = new RedisBus(redis.url, prefix, pino({ level: 'silent' }));
  await Promise.all([publisher.ready(5000), subscriber.ready(5000)]);
  return {
    redis, publisher, subscriber,
    async close() {
      await publisher.close();
      await subscriber.close();
      await redis.close();
    },
  };
}
