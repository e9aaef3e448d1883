// /readyz: the database answers and a ping job round-trips through the queue. It needs no token,
// so it tells a stranger only which dependency failed (the reason goes to the log).
import { randomUUID } from 'node:crypto';
import type { Runtime } from '@tandem/core';

const TIMEOUT_MS = 3000;
/** A queue answer (either way) is reused this long. */
export const QUEUE_PING_EVERY_MS = 2000;

type Check = 'ok' | 'failed';

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms).unref())]);
}

/**
 * However often it is asked, each server checks the database once at a time and pings the queue
 * at most once per QUEUE_PING_EVERY_MS: a flood of /readyz is not a flood of jobs.
 */
export class Readiness {
  private database: Promise<Check> | null = null;
  private queue: { result: Promise<Check>; at: number } | null = null;

  constructor(private readonly rt: Runtime) {}

  async check(): Promise<{ ok: boolean; status: 'ready' | 'unavailable'; checks: { database: Check; queue: Check } }> {
    const [database, queue] = await Promise.all([this.checkDatabase(), this.checkQueue()]);
    const ok = database === 'ok' && queue === 'ok';
    return { ok, status: ok ? 'ready' : 'unavailable', checks: { database, queue } };
  }

  /** One `select 1` at a time, shared by every request that arrives while it runs. */
  private checkDatabase(): Promise<Check> {
    this.database ??= this.outcome('database', () => withTimeout(this.rt.orm.em.fork().execute('select 1'), TIMEOUT_MS, 'database'))
      .finally(() => (this.database = null));
    return this.database;
  }

  /** One ping job per QUEUE_PING_EVERY_MS (and one at a time); later requests get its answer. */
  private checkQueue(): Promise<Check> {
    if (this.queue && Date.now() - this.queue.at < QUEUE_PING_EVERY_MS) return this.queue.result;
    const result = this.outcome('queue', async () => {
      const nonce = randomUUID();
      const job = await withTimeout(this.rt.queues.add('ping', { nonce }), TIMEOUT_MS, 'queue');
      const reply = await this.rt.queues.waitForResult<{ pong: string }>(job, TIMEOUT_MS);
      if (reply.pong !== nonce) throw new Error('wrong ping reply');
    });
    this.queue = { result, at: Date.now() };
    // Counted from the answer, so a slow ping is not repeated back to back.
    void result.then(() => {
      if (this.queue?.result === result) this.queue.at = Date.now();
    });
    return result;
  }

  private async outcome(what: 'database' | 'queue', probe: () => Promise<unknown>): Promise<Check> {
    try {
      await probe();
      return 'ok';
    } catch (err) {
      this.rt.log.warn({ err: (err as Error).message, check: what }, 'readiness check failed');
      return 'failed';
    }
  }
}
