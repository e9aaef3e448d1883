// Benchmark: POST /api/v1/metrics throughput and latency through the real server, side by side with
// raw COPY of the same rows into an equally wide plain table (same columns and indexes).
import { loadavg } from 'node:os';
import pg from 'pg';
import { encodeSamplesBinary, withConnection, type SampleGroup } from '@tandem/core';
import { availableModes, createTestRuntime } from '@tandem/core/testing';
import { keepAliveClient } from './harness/http-client.ts';
import { startServerUnderTest } from './harness/server-process.ts';

const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 1000);
const BATCH_REQUESTS = Number(process.env.BENCH_BATCH_REQUESTS ?? 300);
const BATCH_CLIENTS = Number(process.env.BENCH_BATCH_CLIENTS ?? 8);
const SINGLE_CLIENTS = Number(process.env.BENCH_SINGLE_CLIENTS ?? 32);
const SINGLE_SECONDS = Number(process.env.BENCH_SINGLE_SECONDS ?? 10);
const AGENTS = 10;
const progress = (msg: string) => process.stderr.write(`${msg}\n`);

// Services mode (real PostgreSQL, fresh database; the server in its own process, as deployed) when
// PostgreSQL and Redis answer, else embedded (server in this process).
const mode = (await availableModes()).includes('services') ? 'services' : 'embedded';
const rt = await createTestRuntime(mode);

const server = await startServerUnderTest(rt, mode);
const { agent, post, rpc } = keepAliveClient(server.url, Math.max(BATCH_CLIENTS, SINGLE_CLIENTS));
const { token } = await rpc('auth.register', { email: `bench-${Date.now()}@example.com`, password: 'correct horse', name: 'Bench' });
const me = await (await fetch(`${server.url}/trpc/auth.me`, { headers: { authorization: `Bearer ${token}` } })).json() as { result: { data: { workspaces: { id: string }[] } } };
const workspaceId = me.result.data.workspaces[0]!.id;
const { key } = await rpc('ingestKey.create', { workspaceId, label: 'bench' }, token);
const auth = { authorization: `Bearer ${key}` };

type Sample = Record<string, number | string | Record<string, string>>;
let seq = 0;
function makeSample(): Sample {
  const i = seq++;
  return {
    ts: Date.now() - (i % 60_000), latency_ms: 200 + (i % 900), tokens_in: 1000 + (i % 500), tokens_out: 300 + (i % 200),
    cost_usd: 0.004, cpu_pct: i % 100, gpu_pct: (i * 7) % 100, memory_mb: 800 + (i % 50), requests: 1, errors: i % 20 === 0 ? 1 : 0,
    labels: { model: 'gpt-4o-mini' },
  };
}

/** CPU seconds the server process has used (prom-client's process metrics on /metrics). */
async function serverCpuSeconds(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^process_cpu_seconds_total (\S+)/m.exec(text)?.[1] ?? NaN);
}

const percentile = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

/** Runs `clients` loops; each sends bodies until `more()` says stop. */
async function load(clients: number, more: () => boolean, body: (i: number) => Buffer, latencies?: number[]) {
  let failures = 0;
  let i = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (more()) {
      const t0 = performance.now();
      const res = await post('/api/v1/metrics', body(i++), auth);
      latencies?.push(performance.now() - t0);
      if (res.status !== 202) failures++;
    }
  }));
  return failures;
}

// ---- batched ----------------------------------------------------------------------------------
// 1,000-sample JSON requests from several clients → samples/s and ratio to COPY.
progress(`${mode} mode; batched: ${BATCH_REQUESTS} requests of ${BATCH_SIZE} samples from ${BATCH_CLIENTS} clients`);
const batches = Array.from({ length: BATCH_REQUESTS }, (_, r) => ({ agent: `bench-agent-${r % AGENTS}`, samples: Array.from({ length: BATCH_SIZE }, makeSample) }));
const batchBodies = batches.map((b) => Buffer.from(JSON.stringify(b)));
await load(2, (() => { let n = 0; return () => n++ < 10; })(), (i) => batchBodies[i % batchBodies.length]!); // warm-up, registers the agents
const raw = new pg.Pool({ connectionString: rt.databaseUrl, max: BATCH_CLIENTS });
raw.on('error', () => undefined);
const [before] = (await raw.query<{ n: number }>('select count(*)::int as n from metric_samples')).rows;
let sent = 0;
const cpu0 = await serverCpuSeconds();
const t0 = performance.now();
const batchFailures = await load(BATCH_CLIENTS, () => sent++ < BATCH_REQUESTS, (i) => batchBodies[i % batchBodies.length]!);
const batchSeconds = (performance.now() - t0) / 1000;
const batchCpuMsPer1000 = +(((await serverCpuSeconds()) - cpu0) * 1e6 / BATCH_REQUESTS / BATCH_SIZE).toFixed(2);
const [after] = (await raw.query<{ n: number }>('select count(*)::int as n from metric_samples')).rows;
const stored = after!.n - before!.n;
const apiSamplesPerSecond = Math.round(stored / batchSeconds);
progress(`  API: ${stored} samples in ${batchSeconds.toFixed(2)} s → ${apiSamplesPerSecond}/s (${batchFailures} failed requests; server CPU ${batchCpuMsPer1000} ms per 1,000 samples)`);

// ---- raw COPY of the same rows ---------------------------------------------------------------------
/** Samples/s of the same rows COPYed into a plain table; null on PGlite, whose socket server has no COPY. */
async function rawCopySamplesPerSecond(): Promise<number | null> {
  if (mode === 'embedded') return null;
  const agentIds = new Map((await raw.query<{ id: string; name: string }>('select id, name from agents where workspace_id = $1', [workspaceId])).rows.map((r) => [r.name, r.id]));
  await raw.query(`create table bench_copy (workspace_id uuid not null, agent_id uuid not null, ts timestamptz not null, latency_ms double precision, tokens_in int,
    tokens_out int, cost_usd double precision, cpu_pct real, gpu_pct real, memory_mb real, requests int, errors int, labels jsonb)`);
  await raw.query('create index on bench_copy (agent_id, ts)');
  await raw.query('create index on bench_copy (workspace_id, ts)');
  // The same rows, one COPY per request-sized chunk, from as many connections as the API had
  // clients, in the binary format the API's writer sends (encoded before the clock starts).
  const chunks = batches.map((b) => encodeSamplesBinary(
    [{ workspaceId, samples: b.samples.map((s) => ({ ...s, agent: b.agent })) } as SampleGroup],
    (_w, name) => agentIds.get(name)!,
  ));
  let next = 0;
  const c0 = performance.now();
  await Promise.all(Array.from({ length: BATCH_CLIENTS }, () => withConnection(rt.orm, async (conn) => {
    while (next < chunks.length) await conn.copyFrom('copy bench_copy from stdin with (format binary)', chunks[next++]!);
  })));
  const seconds = (performance.now() - c0) / 1000;
  const [copied] = (await raw.query<{ n: number }>('select count(*)::int as n from bench_copy')).rows;
  progress(`  raw COPY: ${copied!.n} rows in ${seconds.toFixed(2)} s → ${Math.round(copied!.n / seconds)}/s`);
  return Math.round(copied!.n / seconds);
}
const copySamplesPerSecond = await rawCopySamplesPerSecond();

// Each phase starts from a settled database: without this, autovacuum of the 600,000 rows just
// written and the checkpoint they trigger run during the next phase and take its CPU.
if (mode === 'services') {
  await raw.query('drop table if exists bench_copy');
  await raw.query('vacuum analyze metric_samples');
  await raw.query('checkpoint');
}

// ---- single-sample requests -----------------------------------------------------------------------
// From 32 keep-alive clients → requests/s, p50, p99.
progress(`single-sample requests: ${SINGLE_CLIENTS} keep-alive clients for ${SINGLE_SECONDS} s`);
const singles = Array.from({ length: 2000 }, (_, i) => Buffer.from(JSON.stringify({ agent: `bench-agent-${i % AGENTS}`, samples: [makeSample()] })));
await load(SINGLE_CLIENTS, (() => { const end = performance.now() + 1000; return () => performance.now() < end; })(), (i) => singles[i % singles.length]!); // warm-up
const latencies: number[] = [];
const singleCpu0 = await serverCpuSeconds();
const s0 = performance.now();
const end = s0 + SINGLE_SECONDS * 1000;
const singleFailures = await load(SINGLE_CLIENTS, () => performance.now() < end, (i) => singles[i % singles.length]!, latencies);
const singleSeconds = (performance.now() - s0) / 1000;
const singleCpuUsPerRequest = Math.round(((await serverCpuSeconds()) - singleCpu0) * 1e6 / latencies.length);
const sorted = Float64Array.from(latencies).sort();
const single = {
  requests_per_s: Math.round(latencies.length / singleSeconds),
  p50_ms: +percentile(sorted, 0.5).toFixed(2),
  p99_ms: +percentile(sorted, 0.99).toFixed(2),
  failed: singleFailures,
  server_cpu_us_per_request: singleCpuUsPerRequest,
};
progress(`  ${single.requests_per_s} requests/s, p50 ${single.p50_ms} ms, p99 ${single.p99_ms} ms (${singleFailures} failed; server CPU ${singleCpuUsPerRequest} µs per request)`);

await raw.end();
agent.destroy();
await server.close();
await rt.close();
const figures = {
  mode,
  /** Other work on the machine skews every figure: the 1-minute load average at the end of the run. */
  load_average: +loadavg()[0]!.toFixed(2),
  batched: { samples_per_request: BATCH_SIZE, requests: BATCH_REQUESTS, clients: BATCH_CLIENTS, api_samples_per_s: apiSamplesPerSecond, failed: batchFailures, server_cpu_ms_per_1000_samples: batchCpuMsPer1000 },
  copy: { baseline: 'binary COPY FROM STDIN of the same rows (pre-encoded), plain table with the same columns and indexes, one COPY per 1,000 rows on as many connections', samples_per_s: copySamplesPerSecond },
  ratio_to_copy: copySamplesPerSecond ? +(apiSamplesPerSecond / copySamplesPerSecond).toFixed(3) : null,
  single: { clients: SINGLE_CLIENTS, seconds: SINGLE_SECONDS, ...single },
  // Goals: batched ≥ 50% of raw COPY; ≥ 5,000 single-sample requests/s with p99 ≤ 20 ms.
  goals: { batched_half_of_copy: copySamplesPerSecond ? apiSamplesPerSecond >= copySamplesPerSecond / 2 : false, single_5000_rps: single.requests_per_s >= 5000, single_p99_20ms: single.p99_ms <= 20 },
};
console.log(JSON.stringify(figures));
