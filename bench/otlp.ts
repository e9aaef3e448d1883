// Benchmark: OTLP/HTTP protobuf export requests (POST /v1/metrics) beside POST /api/v1/metrics
// carrying the same samples, through the real server in the same run (docs/api.md "OpenTelemetry
// (OTLP)"). Each OTLP request holds 1,000 data points of one agent (delta GenAI histograms, CPU and
// memory gauges), each mapping to its own sample; the native requests carry the samples those
// points map to (README "OpenTelemetry (OTLP)"), so both paths store the same rows.
import { loadavg } from 'node:os';
import pg from 'pg';
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import { availableModes, createTestRuntime } from '@tandem/core/testing';
import { costOf } from '@tandem/core';
import { keepAliveClient } from './harness/http-client.ts';
import { startServerUnderTest } from './harness/server-process.ts';

const POINTS = Number(process.env.BENCH_POINTS ?? 1000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
/** Each path runs this many alternating rounds, so drift in the machine's load hits both alike. */
const ROUNDS = 3;
const AGENTS = 10;
const progress = (msg: string) => process.stderr.write(`${msg}\n`);

const mode = (await availableModes()).includes('services') ? 'services' : 'embedded';
const rt = await createTestRuntime(mode);
const server = await startServerUnderTest(rt, mode);
// latin1: an OTLP answer may be protobuf; its bytes stay as they are.
const { agent, post, rpc } = keepAliveClient(server.url, CLIENTS, 'latin1');

// ---- the requests ----------------------------------------------------------------------------------
type Attr = { key: string; value: { stringValue: string } };
interface Point { startTimeUnixNano: number; timeUnixNano: number; attributes?: Attr[]; count?: number; sum?: number; asDouble?: number; asInt?: number }
type Sample = Record<string, number | Record<string, string>>;
const text = (k: string, v: string): Attr => ({ key: k, value: { stringValue: v } });
const ns = (ms: number) => ms * 1e6;
const MODEL_NAME = 'gpt-4o-mini';
const MODEL = [text('gen_ai.operation.name', 'chat'), text('gen_ai.request.model', MODEL_NAME)];
const labels = { model: MODEL_NAME };

/** One agent's data points, each at its own millisecond (five kinds in turn), and the samples they map to. */
function requestPair(r: number): { otlp: object; native: { agent: string; samples: Sample[] } } {
  const base = Date.now() - 60_000 - r * POINTS;
  const agentName = `bench-agent-${r % AGENTS}`;
  const points: Point[][] = [[], [], [], [], []];
  const samples: Sample[] = [];
  for (let i = 0; i < POINTS; i++) {
    const ts = base + i;
    const t = { startTimeUnixNano: ns(ts - 1000), timeUnixNano: ns(ts) };
    switch (i % 5) {
      case 0: {
        const n = 1000 + (i % 500);
        points[0]!.push({ ...t, attributes: [...MODEL, text('gen_ai.token.type', 'input')], count: 1, sum: n });
        samples.push({ ts, tokens_in: n, cost_usd: costOf(MODEL_NAME, n, 0)!, labels });
        break;
      }
      case 1: {
        const n = 300 + (i % 200);
        points[1]!.push({ ...t, attributes: [...MODEL, text('gen_ai.token.type', 'output')], count: 1, sum: n });
        samples.push({ ts, tokens_out: n, cost_usd: costOf(MODEL_NAME, 0, n)!, labels });
        break;
      }
      case 2: {
        const failed = i % 20 === 2;
        const count = 1 + (i % 3);
        const seconds = count * (0.2 + (i % 900) / 1000);
        points[2]!.push({ ...t, attributes: failed ? [...MODEL, text('error.type', '500')] : MODEL, count, sum: seconds });
        samples.push({ ts, latency_ms: (seconds * 1000) / count, requests: count, errors: failed ? count : 0, labels });
        break;
      }
      case 3:
        points[3]!.push({ ...t, asDouble: (i % 100) / 100 });
        samples.push({ ts, cpu_pct: i % 100 });
        break;
      default:
        points[4]!.push({ ...t, asInt: (800 + (i % 50)) * 1048576 });
        samples.push({ ts, memory_mb: 800 + (i % 50) });
    }
  }
  const metrics = [
    { name: 'gen_ai.client.token.usage', histogram: { aggregationTemporality: 1, dataPoints: [...points[0]!, ...points[1]!] } },
    { name: 'gen_ai.client.operation.duration', histogram: { aggregationTemporality: 1, dataPoints: points[2] } },
    { name: 'process.cpu.utilization', gauge: { dataPoints: points[3] } },
    { name: 'process.memory.usage', sum: { aggregationTemporality: 2, dataPoints: points[4] } },
  ];
  return {
    otlp: { resourceMetrics: [{ resource: { attributes: [text('service.name', agentName)] }, scopeMetrics: [{ metrics }] }] },
    native: { agent: agentName, samples },
  };
}

interface Codec { fromObject(o: object): object; encode(m: object): { finish(): Uint8Array } }
const codec = (generated as unknown as { opentelemetry: { proto: { collector: { metrics: { v1: { ExportMetricsServiceRequest: Codec } } } } } })
  .opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

progress(`${mode} mode; ${REQUESTS} requests of ${POINTS} data points per path from ${CLIENTS} clients, ${ROUNDS} alternating rounds`);
const otlpBodies: Buffer[] = [];
const nativeBodies: Buffer[] = [];
for (let r = 0; r < REQUESTS; r++) {
  const pair = requestPair(r);
  // The body an exporter would send: protobuf through the OpenTelemetry-generated messages.
  otlpBodies.push(Buffer.from(codec.encode(codec.fromObject(pair.otlp)).finish()));
  nativeBodies.push(Buffer.from(JSON.stringify(pair.native)));
}
const otlpBytes = otlpBodies.reduce((n, b) => n + b.length, 0) / REQUESTS;
const nativeBytes = nativeBodies.reduce((n, b) => n + b.length, 0) / REQUESTS;
progress(`  request size: OTLP protobuf ${Math.round(otlpBytes / 1024)} KiB, native JSON ${Math.round(nativeBytes / 1024)} KiB`);

// Signed up only now: building the bodies takes longer than the server keeps an idle socket.
const { token } = await rpc('auth.register', { email: `bench-${Date.now()}@example.com`, password: 'correct horse', name: 'Bench' });
const me = await (await fetch(`${server.url}/trpc/auth.me`, { headers: { authorization: `Bearer ${token}` } })).json() as { result: { data: { workspaces: { id: string }[] } } };
const workspaceId = me.result.data.workspaces[0]!.id;
const { key } = await rpc('ingestKey.create', { workspaceId, label: 'bench' }, token);
const auth = { authorization: `Bearer ${key}` };

/** CPU seconds the server process has used (prom-client's process metrics on /metrics). */
async function serverCpuSeconds(): Promise<number> {
  const res = await fetch(`${server.url}/metrics`);
  return Number(/^process_cpu_seconds_total (\S+)/m.exec(await res.text())?.[1] ?? NaN);
}

interface Path { name: 'otlp' | 'native'; url: string; bodies: Buffer[]; headers: Record<string, string>; ok: number; seconds: number; cpu: number; failed: number; requests: number }
const paths: Path[] = [
  { name: 'native', url: '/api/v1/metrics', bodies: nativeBodies, headers: { ...auth, 'content-type': 'application/json' }, ok: 202, seconds: 0, cpu: 0, failed: 0, requests: 0 },
  { name: 'otlp', url: '/v1/metrics', bodies: otlpBodies, headers: { ...auth, 'content-type': 'application/x-protobuf' }, ok: 200, seconds: 0, cpu: 0, failed: 0, requests: 0 },
];

async function run(path: Path, from: number, count: number, measure: boolean): Promise<void> {
  let next = from;
  const end = from + count;
  const cpu0 = measure ? await serverCpuSeconds() : 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < end) {
      const res = await post(path.url, path.bodies[next++ % path.bodies.length]!, path.headers);
      if (res.status !== path.ok) {
        path.failed++;
        if (path.failed <= 3) progress(`  ${path.name}: ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
  }));
  if (!measure) return;
  path.seconds += (performance.now() - t0) / 1000;
  path.cpu += (await serverCpuSeconds()) - cpu0;
  path.requests += count;
}

// Warm-up (registers the agents, fills caches), then the rounds.
for (const p of paths) await run(p, 0, 10, false);
const raw = new pg.Pool({ connectionString: rt.databaseUrl, max: 2 });
raw.on('error', () => undefined);
const count = async () => (await raw.query<{ n: number }>('select count(*)::int as n from metric_samples')).rows[0]!.n;
const perRound = Math.ceil(REQUESTS / ROUNDS);
const storedBy: Record<string, number> = { native: 0, otlp: 0 };
for (let round = 0; round < ROUNDS; round++) {
  for (const p of round % 2 ? [...paths].reverse() : paths) {
    const before = await count();
    await run(p, round * perRound, Math.min(perRound, REQUESTS - round * perRound), true);
    storedBy[p.name]! += (await count()) - before;
  }
}

const rate = (p: Path) => Math.round(storedBy[p.name]! / p.seconds);
const [native, otlp] = paths as [Path, Path];
for (const p of paths) {
  progress(`  ${p.name}: ${storedBy[p.name]} samples in ${p.seconds.toFixed(2)} s → ${rate(p)} data points/s (${p.failed} failed; server CPU ${(p.cpu * 1e6 / storedBy[p.name]!).toFixed(2)} ms per 1,000)`);
}
await raw.end();
agent.destroy();
await server.close();
await rt.close();

const ratio = +(rate(otlp) / rate(native)).toFixed(3);
console.log(JSON.stringify({
  mode,
  load_average: +loadavg()[0]!.toFixed(2),
  points_per_request: POINTS,
  requests_per_path: REQUESTS,
  clients: CLIENTS,
  request_kib: { otlp_protobuf: +(otlpBytes / 1024).toFixed(1), native_json: +(nativeBytes / 1024).toFixed(1) },
  otlp: { data_points_per_s: rate(otlp), failed: otlp.failed, server_cpu_ms_per_1000: +(otlp.cpu * 1e6 / storedBy.otlp!).toFixed(2) },
  native: { baseline: 'POST /api/v1/metrics, JSON, the same samples the OTLP points map to', samples_per_s: rate(native), failed: native.failed, server_cpu_ms_per_1000: +(native.cpu * 1e6 / storedBy.native!).toFixed(2) },
  ratio_to_native: ratio,
  // Goal: OTLP at ≥ 80% of the native API's rate (issue 13).
  goals: { otlp_80pct_of_native: ratio >= 0.8 && otlp.failed === 0 && native.failed === 0 },
}));
