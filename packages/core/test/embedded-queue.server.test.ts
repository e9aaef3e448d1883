// Regression: with a delayed job in its queue (an export schedule's next run), the embedded worker
// slept until that job was due, up to an hour, because no NOTIFY reaches it; new jobs waited.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/database/embedded.ts';
import { Queues } from '../src/queue/queues.ts';
import { randomPrefix } from '../src/index.ts';

/** Far below BullMQ's hour-long wait on PostgreSQL, far above the 50 ms poll embedded mode uses. */
const PROMPT_MS = 10_000;

describe('embedded queue (BullMQ on PGlite)', () => {
  let dir: string;
  let db: EmbeddedPostgres;
  let queues: Queues;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-pglite-queue-'));
    db = await startEmbeddedPostgres(dir);
    queues = new Queues({ databaseUrl: db.url, prefix: randomPrefix('poll'), pollSeconds: 0.05 }, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await queues?.close(0);
    await db?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('picks up a new job promptly while a delayed job is due only next year', async () => {
    await queues.withQueue('system', (q) => q.add('ping', { nonce: 'later' }, { delay: 365 * 86_400_000 }));
    const worker = queues.startWorker('system', async (job) => ({ pong: (job.data as { nonce: string }).nonce }));
    // Drained: the worker has found nothing to run; a second later it is waiting, as it was when
    // the export came (a job added sooner is found by the check it makes as the wait begins).
    await new Promise<void>((resolve) => worker.once('drained', () => resolve()));
    await setTimeout(1000);
    const job = await queues.add('ping', { nonce: 'now' });
    expect(await queues.waitForResult(job, PROMPT_MS)).toMatchObject({ pong: 'now' });
  }, 60_000);
});
