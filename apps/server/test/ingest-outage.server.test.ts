// docs/reliability.md §6 for ingestion: PostgreSQL stops while agents post; requests answer 503 and
// the server survives; afterwards every request is either stored whole or not at all.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRuntime, type Runtime } from '@tandem/core';
import { parseConfig } from '@tandem/schema';
import { createHttpServer } from '../src/http/server.ts';
import { createServerServices } from '../src/services.ts';
import { httpClient, signUp } from './fault/clients.ts';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from './fault/private-postgres.ts';
import { postMetrics, sampleAt } from './ingest-helpers.ts';

const SAMPLES_PER_REQUEST = 20;

describe.runIf(privatePostgresAvailable())('ingestion while PostgreSQL is unavailable', () => {
  let pg: PrivatePostgres;
  let rt: Runtime;
  let dataDir: string;
  let server: ReturnType<typeof createHttpServer>;
  let url: string;
  beforeAll(async () => {
    pg = await startPrivatePostgres();
    dataDir = await mkdtemp(join(tmpdir(), 'tandem-ingest-outage-'));
    rt = await createRuntime(parseConfig({ DATABASE_URL: pg.url, DATA_DIR: dataDir, DEMO: '0' }), { prefix: 'ingest-outage', log: pino({ level: 'silent' }) });
    server = createHttpServer(createServerServices(rt));
    url = await server.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await server?.close();
    await rt?.close().catch(() => undefined);
    await pg?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  // A private cluster, `pg_ctl stop -m fast`. The 503 carries Retry-After whether the key is cached
  // or not; each request answered 202 is stored whole.
  it('503 with Retry-After while it is down; afterwards each request is stored whole or not at all', async () => {
    const user = await signUp(url);
    const api = httpClient(url, user.token);
    const { key } = await api.ingestKey.create.mutate({ workspaceId: user.workspaceId, label: 'outage' });
    const { key: coldKey } = await api.ingestKey.create.mutate({ workspaceId: user.workspaceId, label: 'never used before the outage' });
    // Request n carries requests = n in every sample, so what is stored can be told apart per request.
    let n = 0;
    const postOne = async () => {
      const id = ++n;
      const res = await postMetrics(url, key, { agent: 'outage-bot', samples: Array.from({ length: SAMPLES_PER_REQUEST }, (_, i) => sampleAt(i, { requests: id })) })
        .catch(() => ({ status: 0, headers: new Headers(), body: null }));
      return { id, status: res.status, retryAfter: res.headers.get('retry-after') };
    };
    expect((await postOne()).status).toBe(202);

    const answers: Awaited<ReturnType<typeof postOne>>[] = [];
    let stop = false;
    const posters = Array.from({ length: 4 }, async () => {
      while (!stop) answers.push(await postOne());
    });
    await vi.waitFor(() => expect(answers.filter((a) => a.status === 202).length).toBeGreaterThan(5), { timeout: 20_000 });
    await pg.stop('fast');
    await vi.waitFor(() => expect(answers.filter((a) => a.status === 503).length).toBeGreaterThan(5), { timeout: 20_000 });
    const down = await postOne();
    expect(down.status).toBe(503);
    expect(Number(down.retryAfter)).toBeGreaterThanOrEqual(1);
    const cold = await postMetrics(url, coldKey, { agent: 'outage-bot', samples: [sampleAt(1)] });
    expect(cold.status).toBe(503);
    expect(Number(cold.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    await pg.start();
    await vi.waitFor(async () => expect((await postOne()).status).toBe(202), { timeout: 30_000, interval: 200 });
    stop = true;
    await Promise.all(posters);

    // Only 202, 503 (and nothing else) were answered: never a 500.
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202, 503]));
    const rows = await rt.orm.em.fork().execute<{ requests: number; n: number }[]>(
      `select requests, count(*)::int as n from metric_samples where workspace_id = ? group by requests`, [user.workspaceId]);
    const stored = new Map(rows.map((r) => [r.requests, r.n]));
    for (const [, count] of stored) expect(count).toBe(SAMPLES_PER_REQUEST);
    for (const a of answers.filter((x) => x.status === 202)) expect(stored.get(a.id), `request ${a.id}`).toBe(SAMPLES_PER_REQUEST);
  });
});
