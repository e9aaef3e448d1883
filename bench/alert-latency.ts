// Benchmark: a breaching sample's POST /api/v1/metrics → its alert.events push at a subscriber, over
// 200 crossings (breach and recover, alternately) with two server instances and two workers in
// services mode, side by side with the same POSTs → the raw bus publish of their committed points
// and → their metrics.live push (the live tail batches every 250 ms by design). Counts events per
// crossing: exactly one is the goal, whichever server took the POST and whatever the workers'
// periodic pass does meanwhile.
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { metricsChannel } from '@tandem/core';
import { availableModes, createTestRuntime } from '@tandem/core/testing';
import type { AlertEvent, LivePoint, MetricsBusMessage } from '@tandem/schema';
import { startServerUnderTest, startWorkerUnderTest } from './harness/server-process.ts';

const CROSSINGS = Number(process.env.BENCH_CROSSINGS ?? 200);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 20);
/** The rule's window (the schema's minimum): a breach must leave it before the agent can recover. */
const WINDOW_MS = 10_000;
const EVENT_TIMEOUT_MS = 20_000;
const progress = (msg: string) => process.stderr.write(`${msg}\n`);

const mode = (await availableModes()).includes('services') ? 'services' : 'embedded';
const rt = await createTestRuntime(mode);

const startWorker = () => startWorkerUnderTest(rt, mode);

// Two servers and two workers in services mode (each its own process); one of each embedded.
const servers = mode === 'services'
  ? await Promise.all([startServerUnderTest(rt, mode), startServerUnderTest(rt, mode)])
  : [await startServerUnderTest(rt, mode)];
const workers = mode === 'services' ? await Promise.all([startWorker(), startWorker()]) : [await startWorker()];
progress(`${mode} mode: ${servers.length} servers, ${workers.length} workers; ${CROSSINGS} crossings over ${AGENTS} agents`);

const httpAgent = new Agent({ keepAlive: true, maxSockets: 64 });
function call(url: string, method: 'GET' | 'POST', body: string | null, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: httpAgent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}
const api = servers[0]!.url;
const rpc = async (path: string, input: unknown, token?: string) => {
  const res = await call(`${api}/trpc/${path}`, 'POST', JSON.stringify(input), token ? { authorization: `Bearer ${token}` } : {});
  return (JSON.parse(res.text) as { result: { data: any } }).result.data;
};
const query = async (path: string, input: unknown, token: string) => {
  const res = await call(`${api}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, 'GET', null, { authorization: `Bearer ${token}` });
  return (JSON.parse(res.text) as { result: { data: any } }).result.data;
};

const { token } = await rpc('auth.register', { email: `bench-${Date.now()}@example.com`, password: 'correct horse', name: 'Bench' });
const workspaceId = (await query('auth.me', undefined, token)).workspaces[0]!.id as string;
const { key } = await rpc('ingestKey.create', { workspaceId, label: 'bench' }, token);
const names = Array.from({ length: AGENTS }, (_, i) => `alert-bench-${i}`);

const lastTs = new Map<string, number>();
/** A sample time for an agent, distinct from its previous one (the live and bus maps are keyed on it). */
function nextTs(name: string): number {
  const ts = Math.max(Date.now(), (lastTs.get(name) ?? 0) + 1);
  lastTs.set(name, ts);
  return ts;
}
/** POSTs one latency sample for an agent through server `via`. */
async function post(name: string, ts: number, latency: number, via: number): Promise<void> {
  const res = await call(`${servers[via % servers.length]!.url}/api/v1/metrics`, 'POST',
    JSON.stringify({ agent: name, samples: [{ ts, latency_ms: latency }] }), { authorization: `Bearer ${key}` });
  if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${res.text}`);
}

// Register the agents with a harmless sample, then one rule for all of them.
for (const n of names) await post(n, nextTs(n), 100, 0);
const agentIds = new Map(((await query('agent.list', { workspaceId }, token)) as { id: string; name: string }[]).map((a) => [a.name, a.id]));
await rpc('alert.createRule', { workspaceId, metric: 'latency_ms', agg: 'max', op: '>', threshold: 800, windowMs: WINDOW_MS }, token);
await sleep(WINDOW_MS + 500); // the harmless samples leave the window

// ---- listeners ----------------------------------------------------------------------------------
interface Expected { t0: number; kind: AlertEvent['kind']; done: () => void }
const expecting = new Map<string, Expected>(); // by agent: one crossing in flight per agent
const alertMs: number[] = [];
const liveMs: number[] = [];
const busMs: number[] = [];
const events = { fired: 0, resolved: 0, unexpected: 0 };
/** ts of POSTs still waiting for their live point / bus message, by agent id + ts. */
const livePending = new Map<string, number>();
const busPending = new Map<string, number>();

function subscribe(path: string, input: unknown, onData: (data: any) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${api.replace('http', 'ws')}/trpc?connectionParams=1`);
    ws.on('open', () => {
      ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
      ws.send(JSON.stringify({ id: 1, method: 'subscription', params: { path, input } }));
    });
    ws.on('message', (raw) => {
      const text = String(raw);
      if (text === 'PING') return void ws.send('PONG');
      const msg = JSON.parse(text) as { result?: { type: string; data?: unknown }; error?: unknown };
      if (!msg.result) return reject(new Error(JSON.stringify(msg.error)));
      if (msg.result.type === 'started') resolve(ws);
      if (msg.result.type === 'data') onData(msg.result.data);
    });
    ws.on('error', reject);
  });
}

const alertSocket = await subscribe('alert.events', { workspaceId }, (data: { data?: AlertEvent } & Partial<AlertEvent>) => {
  const now = performance.now();
  const e = (data.data ?? data) as AlertEvent;
  events[e.kind]++;
  const x = expecting.get(e.agentId);
  if (!x || x.kind !== e.kind) {
    events.unexpected++;
    progress(`  unexpected ${e.kind} for ${e.agentName}`);
    return;
  }
  expecting.delete(e.agentId);
  alertMs.push(now - x.t0);
  x.done();
});
const liveSocket = await subscribe('metrics.live', { workspaceId }, (data: { points?: LivePoint[] }) => {
  const now = performance.now();
  for (const p of data.points ?? []) {
    const k = `${p.agentId}:${p.ts}`;
    const t0 = livePending.get(k);
    if (t0 === undefined) continue;
    livePending.delete(k);
    liveMs.push(now - t0);
  }
});
const unsubscribeBus = await rt.bus.subscribe(metricsChannel(workspaceId), (m) => {
  const now = performance.now();
  for (const p of (m as MetricsBusMessage).points) {
    const k = `${p.agentId}:${p.ts}`;
    const t0 = busPending.get(k);
    if (t0 === undefined) continue;
    busPending.delete(k);
    busMs.push(now - t0);
  }
});

// ---- crossings ------------------------------------------------------------------------------------
// Each agent: breach (1000 ms > 800: fired) → wait for the breach to leave the window → recover
// (100 ms: resolved) → breach again at once, … Agents start staggered so POSTs spread over time.
let started = 0;
let missed = 0;
let via = 0;
async function crossing(name: string, kind: AlertEvent['kind']): Promise<void> {
  const agentId = agentIds.get(name)!;
  const ts = nextTs(name);
  const t0 = performance.now();
  // Everything is keyed before the POST: its push may come before its answer.
  livePending.set(`${agentId}:${ts}`, t0);
  busPending.set(`${agentId}:${ts}`, t0);
  const ok = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => (expecting.delete(agentId), resolve(false)), EVENT_TIMEOUT_MS);
    expecting.set(agentId, { t0, kind, done: () => (clearTimeout(timer), resolve(true)) });
    post(name, ts, kind === 'fired' ? 1000 : 100, via++).catch((err: unknown) => {
      progress(`  ${String(err)}`);
      clearTimeout(timer);
      expecting.delete(agentId);
      resolve(false);
    });
  });
  if (!ok) missed++;
}

const t0 = performance.now();
await Promise.all(names.map(async (name, i) => {
  await sleep((i * WINDOW_MS) / AGENTS);
  let breachAt = 0;
  for (;;) {
    if (started >= CROSSINGS) return;
    started++;
    breachAt = performance.now();
    await crossing(name, 'fired');
    if (started >= CROSSINGS) return;
    await sleep(Math.max(0, breachAt + WINDOW_MS + 1000 - performance.now()));
    if (started >= CROSSINGS) return;
    started++;
    await crossing(name, 'resolved');
  }
}));
const seconds = (performance.now() - t0) / 1000;
await sleep(3000); // late duplicates, if any, arrive now
progress(`  ${started} crossings in ${seconds.toFixed(1)} s; events fired ${events.fired}, resolved ${events.resolved}, unexpected ${events.unexpected}, missed ${missed}`);

alertSocket.close();
liveSocket.close();
unsubscribeBus();
httpAgent.destroy();
await Promise.all([...servers, ...workers].map((p) => p.close()));
await rt.close();

const stats = (ms: number[]) => {
  const s = Float64Array.from(ms).sort();
  const at = (p: number) => +(s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN).toFixed(1);
  return { n: s.length, p50_ms: at(0.5), p95_ms: at(0.95), max_ms: at(1) };
};
const alert = stats(alertMs);
const figures = {
  mode,
  load_average: +loadavg()[0]!.toFixed(2),
  servers: servers.length,
  workers: workers.length,
  crossings: started,
  rule: `max latency_ms > 800 over ${WINDOW_MS / 1000}s, every agent (${AGENTS})`,
  alert_event: { what: 'POST with the crossing sample → alert.events push at a subscriber', ...alert },
  baseline_bus: { what: 'the same POST → its committed point published on the bus (Redis subscriber in the bench process)', ...stats(busMs) },
  baseline_live: { what: 'the same POST → its point in a metrics.live push (batched every 250 ms)', ...stats(liveMs) },
  events: { ...events, missed },
  goals: {
    p95_under_1s: alert.n > 0 && alert.p95_ms < 1000,
    one_event_per_crossing: events.unexpected === 0 && missed === 0 && events.fired + events.resolved === started,
  },
};
console.log(JSON.stringify(figures));
process.exit(0);
