// Benchmark: 1,000,000 metric samples exported to CSV and to NDJSON through the export job (a worker
// process of its own), side by side with COPY (SELECT …) TO STDOUT of the same rows; auth.me p99 meanwhile.
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import pg from 'pg';
import { ensureUpcomingMetricPartitions, kindQueries } from '@tandem/core';
import { availableModes, createTestRuntime } from '@tandem/core/testing';
import { keepAliveClient } from './harness/http-client.ts';
import { startServerUnderTest, startWorkerUnderTest } from './harness/server-process.ts';

const ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
// auth.me is probed at a steady pace (each client at most one request per PROBE_INTERVAL_MS), the way
// members' pages would call it during an export, not as fast as it goes: a closed loop flat out
// would itself take a core of two from the export and the COPY it is measured against.
const ME_CLIENTS = 2;
const PROBE_INTERVAL_MS = 20;
const progress = (msg: string) => process.stderr.write(`${msg}\n`);

const mode = (await availableModes()).includes('services') ? 'services' : 'embedded';
const rt = await createTestRuntime(mode);
const server = await startServerUnderTest(rt, mode);

const probe = keepAliveClient(server.url, ME_CLIENTS + 1);
const startWorker = () => startWorkerUnderTest(rt, mode);

/** Resident and peak resident memory of a process, in MB (Linux /proc). */
async function memoryMb(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

/** A tRPC call's data: mutations by POST, queries by GET (setup and export.get polling). */
const rpc = async (path: string, input: unknown, token?: string, method: 'GET' | 'POST' = 'POST') => {
  if (method === 'POST') return probe.rpc(path, input, token);
  const res = await probe.get(`/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`, token ? { authorization: `Bearer ${token}` } : {});
  return (JSON.parse(res.text) as { result: { data: any } }).result.data;
};

const { token } = await rpc('auth.register', { email: `bench-${Date.now()}@example.com`, password: 'correct horse', name: 'Bench' });
const workspaceId: string = (await rpc('auth.me', undefined, token, 'GET')).workspaces[0].id;

progress(`${mode} mode: inserting ${ROWS.toLocaleString()} samples…`);
const em = rt.orm.em.fork();
await ensureUpcomingMetricPartitions(em);
const [{ id: agentId }] = await em.execute<{ id: string }[]>(`insert into agents (id, workspace_id, name) values (gen_random_uuid(), ?, 'bench-agent') returning id`, [workspaceId]) as [{ id: string }];
const from = Date.now() - 3 * 3600_000;
for (let done = 0; done < ROWS; done += 250_000) {
  const n = Math.min(250_000, ROWS - done);
  await em.execute(`insert into metric_samples (workspace_id, agent_id, ts, latency_ms, tokens_in, tokens_out, cost_usd, cpu_pct, memory_mb, requests, errors, labels)
    select ?, ?, ?::timestamptz + (g * 10) * interval '1 millisecond', 100 + g % 900, 1000 + g % 500, 300 + g % 200, 0.004, g % 100, 800 + g % 50, 1, (g % 20 = 0)::int, '{"model":"gpt-4o-mini"}'
    from generate_series(?::int, ?::int) g`, [workspaceId, agentId, new Date(from), done + 1, done + n]);
}
await em.execute('analyze metric_samples');

/** COPY (SELECT …) TO STDOUT (CSV) of the same rows on a plain connection: the baseline rate. */
async function copyBaseline(): Promise<{ rows_per_s: number; bytes: number } | null> {
  if (mode !== 'services') return null;
  const q = kindQueries.metrics({ workspaceId, from: null, to: null, agentIds: [] });
  const columns = q.columns.map((c) => `${c.sql} as ${c.name}`).join(', ');
  const sql = `copy (select ${columns} from ${q.from} where ${q.where.join(' and ')} order by ${q.key.map(([k]) => k).join(', ')}) to stdout with (format csv, header)`;
  const client = new pg.Client({ connectionString: rt.databaseUrl });
  await client.connect();
  const t0 = performance.now();
  const bytes = await new Promise<number>((resolve, reject) => {
    let n = 0;
    void client.query({
      submit: (c: { query(t: string): void }) => c.query(sql),
      handleCopyData: (m: { chunk: Buffer }) => void (n += m.chunk.length),
      handleError: reject,
      handleReadyForQuery: () => resolve(n),
      handleCommandComplete() {}, handleRowDescription() {}, handleDataRow() {}, handleEmptyQuery() {}, handlePortalSuspended() {}, handleCopyInResponse() {},
    } as never);
  });
  const seconds = (performance.now() - t0) / 1000;
  await client.end();
  return { rows_per_s: Math.round(ROWS / seconds), bytes };
}

const worker = await startWorker();
const before = await memoryMb(worker.pid);

/** auth.me latencies (paced probe, keep-alive node:http) while `during` runs. */
async function meLatencies<T>(during: () => Promise<T>): Promise<{ result: T; p99_ms: number; requests: number }> {
  const latencies: number[] = [];
  let running = true;
  const loops = Array.from({ length: ME_CLIENTS }, async () => {
    while (running) {
      const t0 = performance.now();
      const res = await probe.get('/trpc/auth.me', { authorization: `Bearer ${token}` });
      if (res.status !== 200) throw new Error(`auth.me answered ${res.status}`);
      const took = performance.now() - t0;
      latencies.push(took);
      if (took < PROBE_INTERVAL_MS) await new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS - took));
    }
  });
  const result = await during();
  running = false;
  await Promise.all(loops);
  const sorted = latencies.sort((a, b) => a - b);
  return { result, p99_ms: +(sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))] ?? NaN).toFixed(2), requests: sorted.length };
}

async function exportJob(format: 'csv' | 'ndjson') {
  const { exportId } = await rpc('export.create', { workspaceId, kind: 'metrics', format }, token);
  for (;;) {
    const view = await rpc('export.get', { workspaceId, exportId }, token, 'GET');
    if (view.status === 'completed' || view.status === 'failed') {
      if (view.status === 'failed') throw new Error(`export failed: ${view.error}`);
      const seconds = (view.finishedAt - view.startedAt) / 1000;
      return { rows: view.rows, bytes: view.bytes, seconds: +seconds.toFixed(2), rows_per_s: Math.round(view.rows / seconds) };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

progress('COPY baseline…');
// Under the same auth.me probe as the export jobs, so both meet the same interference.
const copy = (await meLatencies(copyBaseline)).result;
progress(`  ${copy ? `${copy.rows_per_s.toLocaleString()} rows/s` : 'not available (embedded: PGlite speaks no COPY)'}`);
const idle = await meLatencies(() => new Promise((r) => setTimeout(r, 3000)));
progress(`auth.me p99 idle: ${idle.p99_ms} ms`);
const results: Record<string, unknown> = {};
for (const format of ['csv', 'ndjson'] as const) {
  progress(`export job, ${format}…`);
  const run = await meLatencies(() => exportJob(format));
  results[format] = { ...run.result, auth_me_p99_ms: run.p99_ms, auth_me_requests: run.requests };
  progress(`  ${run.result.rows_per_s.toLocaleString()} rows/s (${run.result.seconds} s, ${(run.result.bytes / 1e6).toFixed(1)} MB); auth.me p99 ${run.p99_ms} ms`);
}
const after = await memoryMb(worker.pid);
progress(`worker RSS ${before.rss} MB before, peak ${after.peak} MB`);

await worker.close();
await server.close();
await rt.close();
const rate = (f: 'csv' | 'ndjson') => (results[f] as { rows_per_s: number }).rows_per_s;
const slowest = Math.min(rate('csv'), rate('ndjson'));
const figures = {
  mode,
  load_average: +loadavg()[0]!.toFixed(2),
  rows: ROWS,
  export: results,
  copy: copy && { baseline: 'COPY (SELECT the same columns … ORDER BY the same key) TO STDOUT WITH (FORMAT csv, HEADER), bytes counted and dropped, under the same auth.me probe', ...copy },
  auth_me_probe: `${ME_CLIENTS} keep-alive clients, each at most one request per ${PROBE_INTERVAL_MS} ms`,
  copy_ratio: copy ? { csv: +(rate('csv') / copy.rows_per_s).toFixed(3), ndjson: +(rate('ndjson') / copy.rows_per_s).toFixed(3) } : null,
  auth_me_p99_ms_idle: idle.p99_ms,
  worker_rss_mb: { before: before.rss, peak: after.peak, process: mode === 'services' ? 'worker process' : 'this process (embedded: bench, server and worker)' },
  // Goals: each format at ≥ 50% of COPY's rate; the worker's peak RSS under 200 MB.
  goals: { copyRatio: copy ? slowest / copy.rows_per_s >= 0.5 : false, workerRss: after.peak < 200 },
};
console.log(JSON.stringify(figures));
process.exit(0);
