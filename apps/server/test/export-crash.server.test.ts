// docs/reliability.md §22: a worker SIGKILLed while it writes an export. The partial file is never
// downloadable; another worker runs the export again from the start and the file is complete.
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureUpcomingMetricPartitions, exportDir } from '@tandem/core';
import { availableModes, TEST_REDIS_URL } from '@tandem/core/testing';
import { sqlRows, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();
const ROOT = join(import.meta.dirname, '../../..');
const ROWS = 500_000;

/** Counts CRLF-ended records without holding the file in memory. */
async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) for (const b of chunk) if (b === 10) n++;
  return n;
}

describe.runIf(modes.includes('services'))('worker killed mid-export (services)', () => {
  let app: TestApp;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    app = await startTestApp('services', {}, { workers: false });
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await app?.close();
  });

  function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH, HOME: process.env.HOME,
        DATABASE_URL: app.rt.databaseUrl, REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: app.rt.queues.target.prefix, JOB_LOCK_MS: '1000', LOG_LEVEL: 'info', DATA_DIR: app.rt.dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 60_000);
      child.stdout.on('data', () => {
        if (out.includes('workers started')) {
          clearTimeout(timer);
          resolve(child);
        }
      });
    });
  }

  it('the export is run again to completion; the partial file is never served', async () => {
    const u = await app.signUp('Crash');
    const ws = u.workspaceId;
    const [agent] = await sqlRows<{ id: string }>(app, `insert into agents (id, workspace_id, name) values (gen_random_uuid(), ?, 'crashy') returning id`, [ws]);
    await ensureUpcomingMetricPartitions(app.rt.orm.em.fork());
    await sqlRows(app, `insert into metric_samples (workspace_id, agent_id, ts, latency_ms, labels)
      select ?, ?, now() - interval '1 hour' + g * interval '1 millisecond', g, '{"k":"v, w"}' from generate_series(1, ${ROWS}) g`, [ws, agent!.id]);

    const first = await startWorker();
    const { exportId } = await app.client(u.token).export.create.mutate({ workspaceId: ws, kind: 'metrics', format: 'csv' });
    const dir = exportDir(app.rt.dataDir);
    // Killed once the partial file has data in it.
    await vi.waitFor(async () => {
      const part = (await readdir(dir).catch(() => [] as string[])).find((n) => n.startsWith(`.${exportId}.`) && n.endsWith('.part'));
      expect(part && (await stat(join(dir, part))).size).toBeGreaterThan(0);
    }, { timeout: 60_000, interval: 5 });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    // Nothing to download while the export is unfinished, with a token or a signed link.
    const [row] = await sqlRows<{ status: string }>(app, 'select status from exports where id = ?', [exportId]);
    expect(row?.status).toBe('running');
    const download = () => fetch(`${app.url}/api/v1/exports/${exportId}/download`, { headers: { authorization: `Bearer ${u.token}` } });
    expect((await download()).status).toBe(404);

    await startWorker();
    let view = await app.client(u.token).export.get.query({ workspaceId: ws, exportId });
    await vi.waitFor(async () => {
      view = await app.client(u.token).export.get.query({ workspaceId: ws, exportId });
      expect(['completed', 'failed']).toContain(view.status);
    }, { timeout: 120_000, interval: 200 });
    expect(view.status, view.error ?? '').toBe('completed');
    expect(view.rows).toBe(ROWS);
    const [done] = await sqlRows<{ attempt: number }>(app, 'select attempt from exports where id = ?', [exportId]);
    expect(done!.attempt).toBe(2);
    // Exactly one complete file: the header and every row; no partial file left behind.
    const names = (await readdir(dir)).filter((n) => n.includes(exportId));
    expect(names).toEqual([`${exportId}.csv`]);
    expect(await countLines(join(dir, names[0]!))).toBe(ROWS + 1);
    const res = await download();
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe((await stat(join(dir, names[0]!))).size);
    await res.body?.cancel();
  }, 300_000);
});
