// docs/reliability.md §5: the PostgreSQL-backed queue's LISTEN session is terminated; a job added
// afterwards is still picked up at once, because the worker LISTENs again on a new session.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Queues, randomPrefix } from '@tandem/core';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';

// The queue (DATABASE_URL set, REDIS_URL unset) wakes workers with LISTEN/NOTIFY; they poll only
// this often here, so a pickup that waited for the poll fails.
const POLL_SECONDS = 60;
/** Far below the poll: only a NOTIFY (or the check when LISTENing again) gets a job this soon. */
const PROMPT_MS = 10_000;

describe.runIf(privatePostgresAvailable())('PostgreSQL-backed queue: LISTEN session terminated', () => {
  let cluster: PrivatePostgres;
  let admin: pg.Client;
  let producer: Queues;
  let consumer: Queues;
  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    const log = pino({ level: 'silent' });
    const target = { databaseUrl: cluster.url, prefix: randomPrefix('listen') };
    producer = new Queues(target, log);
    consumer = new Queues({ ...target, pollSeconds: POLL_SECONDS }, log);
    consumer.startWorker('system', async (job) => ({ pong: (job.data as { nonce: string }).nonce }));
  });
  afterAll(async () => {
    await consumer?.close(0);
    await producer?.close(0);
    await admin?.end();
    await cluster?.close();
  });

  /** Backends of this cluster whose last statement was a LISTEN (after BullMQ's comment lines). */
  const listeners = async () =>
    (await admin.query<{ pid: number }>(`select pid from pg_stat_activity where query ~ '(^|\n)LISTEN ' and pid <> pg_backend_pid()`)).rows.map((r) => r.pid);

  async function pingTakes(): Promise<number> {
    const started = Date.now();
    const nonce = randomUUID();
    const job = await producer.add('ping', { nonce });
    expect(await producer.waitForResult<{ pong: string }>(job, 30_000)).toEqual({ pong: nonce });
    return Date.now() - started;
  }

  it('picks up a job added after the kill promptly, and LISTENs again on a new session (three kills in a row)', async () => {
    expect(await pingTakes()).toBeLessThan(PROMPT_MS);
    for (let round = 0; round < 3; round++) {
      let killed: number[] = [];
      await vi.waitFor(async () => {
        killed = await listeners();
        expect(killed.length).toBeGreaterThan(0);
      }, { timeout: 15_000, interval: 100 });
      await admin.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [killed]);
      // Only once the session is really gone, so no NOTIFY can still reach the old one.
      await vi.waitFor(async () => expect((await listeners()).filter((p) => killed.includes(p))).toEqual([]), { timeout: 15_000, interval: 50 });

      expect(await pingTakes()).toBeLessThan(PROMPT_MS);
      await vi.waitFor(async () => {
        const now = await listeners();
        expect(now.length).toBeGreaterThan(0);
        expect(now.filter((p) => killed.includes(p))).toEqual([]);
      }, { timeout: 15_000, interval: 100 });
    }
  }, 120_000);
});
