// Benchmark: fan-out of one conversation's live events to many WebSocket subscribers (default 1,000)
// through the real server, side by side with a bare `ws` broadcast; or many conversations (--conversations).
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { availableModes, createTestRuntime, TEST_REDIS_URL } from '@tandem/core/testing';
import { epochNow, startEventSource } from './fanout/event-source.ts';
import { startRawBroadcast } from './fanout/raw-broadcast.ts';
import { INSPECT, spawnPrinting, startServerUnderTest, type Running } from './harness/server-process.ts';
import { cpuMs, retainedHeapBytes, rssBytes, startProfiling, writeHeapSnapshot } from './harness/process-stats.ts';

const { values: flags } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), options: { viewers: { type: 'string' }, conversations: { type: 'string' }, seconds: { type: 'string' } } });
const SUBSCRIBERS = Number(flags.viewers ?? process.env.BENCH_SUBSCRIBERS ?? 1000);
/**
 * More than one: the many-conversations mode — SUBSCRIBERS spread evenly over this many
 * conversations, one event per second in each, no baseline (goals are absolute).
 */
const CONVERSATIONS = Number(flags.conversations ?? 1);
/** Events per second at the steady rate: a streaming reply flushes every 150 ms (~7/s), plus tool events. */
const RATE = Number(process.env.BENCH_RATE ?? 10);
const SECONDS = Number(flags.seconds ?? process.env.BENCH_SECONDS ?? 10);
const HIGH_RATE = Number(process.env.BENCH_HIGH_RATE ?? 100);
const HIGH_SECONDS = Number(process.env.BENCH_HIGH_SECONDS ?? 5);
const progress = (msg: string) => process.stderr.write(`${msg}\n`);

// Services mode (real PostgreSQL + Redis; the server and the baseline each in their own process,
// like production) when they answer, else embedded (everything in this process).
const mode = (await availableModes()).includes('services') ? 'services' : 'embedded';
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const rt = await createTestRuntime(mode);

/** Our server, then the baseline, each started the same way. */
const startApi = () => startServerUnderTest(rt, mode, { inspect: true });

async function startRaw(): Promise<Running> {
  if (mode === 'embedded') return { ...(await startRawBroadcast(rt.bus)), pid: process.pid };
  return spawnPrinting(
    [INSPECT, '--import', 'tsx', 'bench/fanout/raw-broadcast.ts'],
    { REDIS_URL: TEST_REDIS_URL, BUS_PREFIX: `${rt.queues.target.prefix}:bus:` },
    /listening on (ws:\/\/\S+)/,
  );
}

/** What the clients received during one phase. */
class Deliveries {
  latencies: Float64Array;
  count = 0;
  lastAt = 0;
  orderViolations = 0;
  constructor(readonly expected: number) {
    this.latencies = new Float64Array(expected);
  }
  /** Per event (by its send time, which every copy carries): when its first and last copy arrived. */
  perEvent = new Map<number, { first: number; last: number }>();
  record(sentAt: number) {
    const now = epochNow();
    const e = this.perEvent.get(sentAt);
    if (!e) this.perEvent.set(sentAt, { first: now - sentAt, last: now - sentAt });
    else e.last = now - sentAt;
    if (this.count < this.latencies.length) this.latencies[this.count] = now - sentAt;
    this.count++;
    this.lastAt = now - performance.timeOrigin; // on performance.now()'s clock, like the phase's start
  }
}
let current = new Deliveries(0);
/** The process whose CPU time and memory a phase reports (the server under test, or the baseline). */
let measured: Running;

/**
 * A subscriber speaking tRPC's WebSocket protocol: connectionParams, then one subscription. A raw
 * `ws` socket, not a full tRPC client (1,000 of those would cost this process more than the
 * server); the baseline's clients are the same sockets, parsing the same JSON.
 */
function trpcSubscriber(api: string, token: string, conversationId: string, lastEventId: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${api.replace('http', 'ws')}/trpc?connectionParams=1`);
    let last = lastEventId;
    ws.on('open', () => {
      ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
      ws.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'conversation.events', input: { conversationId, lastEventId: String(lastEventId) } } }));
    });
    ws.on('message', (raw) => {
      const text = String(raw);
      if (text === 'PING') return void ws.send('PONG');
      const msg = JSON.parse(text) as { result?: { type: string; id?: string; data?: { data: { type: string; text?: string } } }; error?: unknown };
      if (!msg.result) return reject(new Error(JSON.stringify(msg.error)));
      if (msg.result.type === 'started') return resolve(ws);
      if (msg.result.type !== 'data' || msg.result.id === undefined) return; // presence, typing
      const id = Number(msg.result.id);
      if (id !== last + 1) current.orderViolations++;
      last = id;
      const event = msg.result.data!.data;
      if (event.type === 'message.delta') current.record(Number(event.text));
    });
    ws.on('error', reject);
  });
}

function rawSubscriber(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let last = -1;
    ws.on('open', () => resolve(ws));
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as { i: number; t: number };
      if (last !== -1 && m.i !== last + 1) current.orderViolations++;
      last = m.i;
      current.record(m.t);
    });
    ws.on('error', reject);
  });
}

/** Opens subscribers, 50 at a time, until `sockets` holds `upTo` of them. */
async function connectAll(open: () => Promise<WebSocket>, sockets: WebSocket[], upTo: number): Promise<WebSocket[]> {
  while (sockets.length < upTo) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(50, upTo - sockets.length) }, open))));
    progress(`  ${sockets.length}/${SUBSCRIBERS} subscribed`);
  }
  return sockets;
}
type Connect = (sockets: WebSocket[], upTo: number) => Promise<WebSocket[]>;

const percentile = (xs: Float64Array, p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const round = (x: number) => Math.round(x * 100) / 100;

/** Publishes `count` events at `rate` per second and waits until every subscriber has them. */
async function phase(name: string, count: number, rate: number, conversations?: string[]) {
  current = new Deliveries((count * SUBSCRIBERS) / CONVERSATIONS);
  const profiled = await profilePhase(name);
  const cpuBefore = cpuMs(measured.pid);
  const start = performance.now();
  const publishing = await events.run({ count, rate, ...(conversations ? { conversations } : {}) });
  await profiled?.();
  const published = performance.now();
  const deadline = published + 30_000;
  while (current.count < current.expected && performance.now() < deadline) await sleep(20);
  publishing.sort();
  const cpu = cpuMs(measured.pid) - cpuBefore;
  const d = current;
  const got = d.latencies.subarray(0, Math.min(d.count, d.expected)).sort();
  const firsts = Float64Array.from(d.perEvent.values(), (e) => e.first).sort();
  const spreads = Float64Array.from(d.perEvent.values(), (e) => e.last - e.first).sort();
  const figures = {
    events: count,
    offered_events_per_s: round((count * 1000) / (published - start)),
    /** How long one publish took (for tRPC: the append transaction and the bus message). */
    publish_p50_ms: round(percentile(publishing, 50)),
    publish_p99_ms: round(percentile(publishing, 99)),
    delivered: d.count,
    missing: Math.max(0, d.expected - d.count),
    order_violations: d.orderViolations,
    p50_ms: round(percentile(got, 50)),
    p99_ms: round(percentile(got, 99)),
    max_ms: round(got[got.length - 1] ?? NaN),
    // Where a late delivery lost its time: before its first copy arrived (the append, the read and
    // the first write), or between its first and last copies (the write loop and the clients).
    first_copy_p99_ms: round(percentile(firsts, 99)),
    copies_spread_p99_ms: round(percentile(spreads, 99)),
    delivered_msgs_per_s: Math.round((d.count * 1000) / (d.lastAt - start)),
    /** Server CPU time (user + system) over the phase, per 1,000 messages delivered. */
    server_cpu_ms_per_1000: round((cpu * 1000) / Math.max(1, d.count)),
  };
  progress(`  ${name}: ${JSON.stringify(figures)}`);
  return figures;
}

/** Phases: a steady rate (latency), then a high rate (throughput). */
/** `conversations`: the one our server's viewers watch; none for the baseline (raw bus messages). */
async function measure(label: string, connect: Connect, conversations?: string[]) {
  const { sockets, memory } = await connectMeasured(label, connect);
  await phase(`${label} warm-up`, Math.max(20, RATE), RATE, conversations);
  const steady = await phase(`${label} steady`, RATE * SECONDS, RATE, conversations);
  const high = await phase(`${label} high`, HIGH_RATE * HIGH_SECONDS, HIGH_RATE, conversations);
  await closeAll(sockets);
  return { ...memory, steady, high };
}

/** Connects every subscriber and says what they cost the measured process in memory. */
/**
 * Subscribers opened before memory is first read: half of them. What the first ones cost once
 * (modules loaded and code compiled on first use, code optimised once it is hot, caches filled) is
 * not a cost per viewer, so the figure is the slope over the second half.
 */
const WARM_VIEWERS = Math.floor(SUBSCRIBERS / 2);

async function connectMeasured(label: string, connect: Connect) {
  progress(`${label}: connecting ${SUBSCRIBERS} subscribers`);
  const sockets = await connect([], WARM_VIEWERS);
  await sleep(1000);
  const rssBefore = rssBytes(measured.pid);
  const heapBefore = await heapRetained();
  await snapshot(`${label}-before`);
  await connect(sockets, SUBSCRIBERS);
  await sleep(3000); // let the joins (presence) settle before measuring
  const rss = rssBytes(measured.pid);
  const heap = await heapRetained();
  await snapshot(`${label}-after`);
  const added = SUBSCRIBERS - WARM_VIEWERS;
  const memory = {
    subscribed: sockets.length, server_rss_mb: round(rss / 2 ** 20), rss_per_viewer_kb: round((rss - rssBefore) / 1024 / added),
    // The JS heap still held after a full GC, per viewer: what a viewer costs while it stays
    // (RSS also counts heap the GC has not returned yet, and the sockets' kernel-side buffers are in neither).
    ...(heap !== null && heapBefore !== null ? { retained_heap_per_viewer_kb: round((heap - heapBefore) / 1024 / added) } : {}),
  };
  progress(`  ${JSON.stringify(memory)}`);
  return { sockets, memory };
}

/** With BENCH_HEAP_SNAPSHOT_DIR: heap snapshots before and after the viewers connect, to see what a viewer holds. */
async function snapshot(name: string): Promise<void> {
  const dir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
  if (!dir || !measured.inspector) return;
  mkdirSync(dir, { recursive: true });
  await writeHeapSnapshot(measured.inspector, join(dir, `${name.replace(/\W+/g, '-')}.heapsnapshot`));
}

/**
 * With BENCH_ALLOC_PROFILE_DIR or BENCH_CPU_PROFILE_DIR: what the measured process allocates
 * (sampled, garbage included) or spends CPU on during each phase, written there per phase.
 */
async function profilePhase(name: string): Promise<(() => Promise<void>) | null> {
  const [kind, dir] = process.env.BENCH_CPU_PROFILE_DIR ? ['cpu', process.env.BENCH_CPU_PROFILE_DIR] as const : ['allocations', process.env.BENCH_ALLOC_PROFILE_DIR] as const;
  if (!dir || !measured.inspector) return null;
  mkdirSync(dir, { recursive: true });
  const stop = await startProfiling(measured.inspector, kind);
  return () => stop(join(dir, `${name.replace(/\W+/g, '-')}.${kind === 'cpu' ? 'cpuprofile' : 'heapprofile'}`));
}

/** The measured process's JS heap after a full GC, through its inspector (services mode only: embedded shares this process). */
const heapRetained = (): Promise<number | null> => (measured.inspector ? retainedHeapBytes(measured.inspector) : Promise.resolve(null));

const closeAll = (sockets: WebSocket[]) => Promise.all(sockets.map((ws) => new Promise((r) => {
  if (ws.readyState === ws.CLOSED) return r(null);
  ws.once('close', r);
  ws.close();
})));

const api = await startApi();
measured = api;
progress(`${mode} mode; server ${api.url}`);
const post = async (path: string, input: unknown, token?: string) => {
  const res = await fetch(`${api.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input),
  });
  return ((await res.json()) as { result: { data: any } }).result.data;
};
const { token } = await post('auth.register', { email: `fanout-${Date.now()}@example.com`, password: 'correct horse', name: 'Fanout' });
const me = await (await fetch(`${api.url}/trpc/auth.me`, { headers: { authorization: `Bearer ${token}` } })).json() as { result: { data: { workspaces: { id: string }[] } } };
const workspaceId = me.result.data.workspaces[0]!.id;
// Each event appended to PostgreSQL and announced on the bus, as the worker does, from a process of
// its own in services mode (fanout/event-source.ts); the server wakes, reads and sends it on every
// conversation.events subscription.
const events = await startEventSource(rt);

if (CONVERSATIONS > 1) {
  // Many conversations: SUBSCRIBERS / CONVERSATIONS viewers each, one event per second in each.
  const conversations: { id: string; lastSeq: number }[] = [];
  for (let k = 0; k < CONVERSATIONS; k++) conversations.push(await post('conversation.create', { workspaceId, title: `Fan-out ${k}` }, token));
  let opened = 0;
  const { sockets, memory } = await connectMeasured('tRPC conversation.events', (open, upTo) => connectAll(() => {
    const c = conversations[opened++ % CONVERSATIONS]!;
    return trpcSubscriber(api.url, token, c.id, c.lastSeq);
  }, open, upTo));
  // The load generator's own event-loop delay over the phase: 10,000 client sockets parsing JSON
  // share the two cores with the server, and a late client reads its frames late.
  const ids = conversations.map((c) => c.id);
  // As in the one-conversation mode, a warm-up first: the memory reading's full GC leaves the
  // server busy for a few hundred milliseconds after it, and the first reads compile their code.
  await phase('tRPC many conversations warm-up', CONVERSATIONS * 2, CONVERSATIONS, ids);
  const clientDelay = monitorEventLoopDelay({ resolution: 10 });
  clientDelay.enable();
  const steady = await phase('tRPC many conversations', CONVERSATIONS * SECONDS, CONVERSATIONS, ids);
  clientDelay.disable();
  await closeAll(sockets);
  await api.close();
  await events.close();
  await rt.close();
  console.log(JSON.stringify({
    mode, viewers: SUBSCRIBERS, conversations: CONVERSATIONS, seconds: SECONDS,
    cpus: cpus().length, load_avg_1m: round(loadavg()[0]!),
    trpc: { ...memory, steady },
    /** This process's (the clients') event-loop delay during the phase: part of what the latencies measure. */
    client_event_loop_delay_ms: { p50: round(clientDelay.percentile(50) / 1e6), p99: round(clientDelay.percentile(99) / 1e6), max: round(clientDelay.max / 1e6) },
    // All subscribed, p99 < 100 ms, server RSS < 1.5 GB, nothing missing or out of order.
    goals: {
      all_subscribed: memory.subscribed === SUBSCRIBERS,
      p99_under_100ms: steady.p99_ms < 100,
      rss_under_1_5gb: memory.server_rss_mb < 1536,
      nothing_missing_or_out_of_order: steady.missing === 0 && steady.order_violations === 0,
    },
  }));
  process.exit(0);
}

const conversation = await post('conversation.create', { workspaceId, title: 'Fan-out' }, token);

const trpc = await measure(
  'tRPC conversation.events',
  (open, upTo) => connectAll(() => trpcSubscriber(api.url, token, conversation.id, conversation.lastSeq), open, upTo),
  [conversation.id],
);
await api.close();

const rawServer = await startRaw();
measured = rawServer;
progress(`raw ws ${rawServer.url}`);
const raw = await measure('raw ws broadcast', (open, upTo) => connectAll(() => rawSubscriber(rawServer.url), open, upTo));
await rawServer.close();
await events.close();
await rt.close();
const throughputVsRaw = round(trpc.high.delivered_msgs_per_s / raw.high.delivered_msgs_per_s);
const p99VsRaw = round(trpc.steady.p99_ms / raw.steady.p99_ms);
const heapBeyondRaw = trpc.retained_heap_per_viewer_kb !== undefined && raw.retained_heap_per_viewer_kb !== undefined
  ? round(trpc.retained_heap_per_viewer_kb - raw.retained_heap_per_viewer_kb) : null;
console.log(JSON.stringify({
  mode, subscribers: SUBSCRIBERS, steady_rate: RATE, high_rate: HIGH_RATE,
  // Latency figures mean little on a busy machine: say how busy it was.
  cpus: cpus().length, load_avg_1m: round(loadavg()[0]!),
  trpc, raw,
  throughput_vs_raw: throughputVsRaw,
  p99_vs_raw: p99VsRaw,
  /** What an idle viewer costs our server in retained JS heap beyond what the bare socket costs the baseline. */
  retained_heap_per_viewer_beyond_raw_kb: heapBeyondRaw,
  // p99 < 50 ms at the steady rate; delivered msgs/s at the high rate ≥ 50% of raw ws; nothing lost;
  // an idle viewer "a few kilobytes beyond the socket itself" (read here as at most 4 KB).
  goals: {
    p99_under_50ms: trpc.steady.p99_ms < 50 && trpc.steady.missing === 0,
    throughput_at_least_half_raw: throughputVsRaw >= 0.5,
    nothing_missing_or_out_of_order: [trpc.steady, trpc.high].every((p) => p.missing === 0 && p.order_violations === 0),
    idle_viewer_few_kb_beyond_socket: heapBeyondRaw !== null && heapBeyondRaw <= 4,
  },
}));
