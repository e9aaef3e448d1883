// Benchmark: the assistant pipeline's latency, from `conversation.send` to the first
// `message.delta` at a subscriber, in services mode (server and worker each in their own process,
// real PostgreSQL and Redis), the worker's real OpenAI provider (the `openai` SDK) talking to a
// local OpenAI-protocol server that streams its answer at once. Questions go one at a time, so
// this is latency, not queueing. Beside it, the same path's raw parts (raw-parts.ts).
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { ConversationEvent } from '@tandem/schema';
import { runJobId } from '@tandem/core';
import { TEST_REDIS_URL, TEST_TENANT_LIMITS, availableModes, createTestRuntime } from '@tandem/core/testing';
import { startFakeOpenAi } from '@tandem/worker/testing/fake-openai';
import { builtAppArgs, spawnPrinting } from './harness/server-process.ts';
import { cpuMs } from './harness/process-stats.ts';
import { ConversationFeed } from './pipeline/feed.ts';
import { eventRoundTrip, queuePickup } from './pipeline/raw-parts.ts';
import { summary } from './pipeline/stats.ts';

const { values: flags } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), options: { questions: { type: 'string' } } });
const QUESTIONS = Number(flags.questions ?? process.env.BENCH_QUESTIONS ?? 200);
/** A fresh conversation every so many questions, so the history the worker reads stays short. */
const PER_CONVERSATION = 10;
const WARMUP = 10;
/** One question that takes longer than this has hung: the bench stops rather than wait forever. */
const QUESTION_TIMEOUT_MS = 30_000;
const progress = (msg: string) => process.stderr.write(`${msg}\n`);
const epochOf = (t: number) => performance.timeOrigin + t;
const round = (x: number) => Math.round(x * 100) / 100;

if (!(await availableModes()).includes('services')) {
  console.error('pipeline: needs PostgreSQL on 127.0.0.1:5432 and Redis on 6379 (services mode)');
  process.exit(2);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const mode = 'services';
const rt = await createTestRuntime(mode);

// The local OpenAI-protocol server (the one the worker's provider tests use): every request is
// answered at once with the same short streamed reply; it notes when each request arrived.
let llmRequested: ((at: number) => void) | null = null;
const llm = await startFakeOpenAi(() => {
  llmRequested?.(performance.now());
  return { text: ['The answer', ' is 42.'], usage: { prompt: 900, completion: 6 } };
});

const shared = { DATABASE_URL: rt.databaseUrl, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: rt.queues.target.prefix, DATA_DIR: rt.dataDir, DEMO: '0' };
const provider = { LLM_PROVIDER: 'openai', OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'sk-bench' };
// As the other benches start the server (harness/server-process.ts), plus assistant quotas high
// enough for 200 questions from one user in a few seconds (deployed: 50 per user per hour).
const server = await spawnPrinting(builtAppArgs('server'), {
  ...shared, ...provider, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn',
  WS_MAX_SOCKETS_PER_USER: '100000', WS_MAX_SOCKETS_PER_ADDRESS: '100000', ...TEST_TENANT_LIMITS,
  ASSISTANT_RATE_LIMIT_PER_HOUR: '100000', ASSISTANT_WORKSPACE_LIMIT_PER_HOUR: '100000', ASSISTANT_MAX_RUNS_PER_HOUR: '100000',
}, /listening on (http:\/\/\S+)/);
const worker = await spawnPrinting(builtAppArgs('worker'), { ...shared, ...provider, LOG_LEVEL: 'info' }, /(workers) started/);
progress(`${mode} mode; server ${server.url} (pid ${server.pid}), worker pid ${worker.pid}, OpenAI-protocol server ${llm.url}`);

// Mutations over one keep-alive connection (node:http, not fetch: cheaper, and no pool surprises).
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function call(method: 'GET' | 'POST', path: string, body: string | null, token?: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, {
      method, agent, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        const parsed = JSON.parse(text) as { result?: { data: unknown }; error?: unknown };
        if (!parsed.result) reject(new Error(`${path}: ${res.statusCode} ${text.slice(0, 500)}`));
        else resolve(parsed.result.data);
      });
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}
const mutate = (path: string, input: unknown, token?: string) => call('POST', `/trpc/${path}`, JSON.stringify(input), token);

const { token } = await mutate('auth.register', { email: `pipeline-${Date.now()}@example.com`, password: 'correct horse', name: 'Pipeline' });
const me = await call('GET', '/trpc/auth.me', null, token);
const workspaceId: string = me.workspaces[0].id;
const feed = await ConversationFeed.open(server.url, token);

async function newConversation(title: string): Promise<string> {
  const c = await mutate('conversation.create', { workspaceId, title }, token);
  await feed.subscribe(c.id, c.lastSeq);
  return c.id;
}

const within = <T>(p: Promise<T>, what: string) => Promise.race([
  p,
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing within ${QUESTION_TIMEOUT_MS} ms`)), QUESTION_TIMEOUT_MS).unref()),
]);

const ended = new Set(['completed', 'failed', 'timeout', 'cancelled']);
const isStatus = (e: ConversationEvent, status: string) => e.type === 'run.status' && e.status === status;

/** One question, timed at every point this process can see; the run has ended when it resolves. */
async function ask(conversationId: string, i: number) {
  // Questions go one at a time and the previous run has ended, so the next of each is this run's.
  let finalStatus = '';
  let queuedRunId = '';
  const queued = feed.next(conversationId, (e) => isStatus(e, 'queued') && ((queuedRunId = (e as { runId: string }).runId), true));
  const running = feed.next(conversationId, (e) => isStatus(e, 'running'));
  const delta = feed.next(conversationId, (e) => e.type === 'message.delta');
  const done = feed.next(conversationId, (e) => e.type === 'run.status' && ended.has(e.status) && ((finalStatus = e.status), true));
  const llmAt = new Promise<number>((resolve) => (llmRequested = resolve));
  const t0 = performance.now();
  const sent = await mutate('conversation.send', { conversationId, content: `Question ${i}: what were sales last month?`, clientMessageId: `bench-${i}-${crypto.randomUUID()}` }, token);
  const answered = performance.now();
  const [queuedAt, runningAt, llm, deltaAt, doneAt] = await within(Promise.all([queued, running, llmAt, delta, done]), `question ${i}`);
  if (finalStatus !== 'completed') throw new Error(`question ${i}: run ended ${finalStatus}`);
  if (queuedRunId !== sent.runId) throw new Error(`question ${i}: events of run ${queuedRunId}, sent ${sent.runId}`);
  // When the server enqueued the job and when the worker took it (BullMQ's own timestamps, ms).
  const job = await rt.queues.withQueue('assistant', (q) => q.getJob(runJobId(sent.runId)));
  return {
    first_delta: deltaAt - t0,
    http_send: answered - t0,
    queued_event: queuedAt - t0,
    running_event: runningAt - t0,
    completed_event: doneAt - t0,
    send_to_job_added: job!.timestamp - epochOf(t0),
    queue_add_to_pickup: job!.processedOn! - job!.timestamp,
    pickup_to_llm_request: epochOf(llm) - job!.processedOn!,
    llm_request_to_first_delta: deltaAt - llm,
  };
}

progress(`warm-up: ${WARMUP} questions`);
const warm = await newConversation('Warm-up');
for (let i = 0; i < WARMUP; i++) await ask(warm, -1 - i);

progress(`${QUESTIONS} questions, one at a time, ${PER_CONVERSATION} per conversation`);
type Timing = Awaited<ReturnType<typeof ask>>;
const timings: Timing[] = [];
const cpuBefore = { bench: cpuMs(process.pid), server: cpuMs(server.pid), worker: cpuMs(worker.pid) };
let busy = 0;
const start = performance.now();
let conversationId = '';
for (let i = 0; i < QUESTIONS; i++) {
  if (i % PER_CONVERSATION === 0) conversationId = await newConversation(`Pipeline ${i / PER_CONVERSATION}`);
  const t = performance.now();
  timings.push(await ask(conversationId, i));
  busy += performance.now() - t;
  if ((i + 1) % 50 === 0) progress(`  ${i + 1}/${QUESTIONS}: p50 so far ${summary(timings.map((x) => x.first_delta)).p50} ms`);
}
const wall = performance.now() - start;
const cpuShare = (pid: number, before: number) => round((100 * (cpuMs(pid) - before)) / wall);
const cpu = {
  wall_s: round(wall / 1000),
  // Percent of one core over the measured questions; the bench's own share includes the fake LLM.
  load_generator_pct: cpuShare(process.pid, cpuBefore.bench),
  server_pct: cpuShare(server.pid, cpuBefore.server),
  worker_pct: cpuShare(worker.pid, cpuBefore.worker),
  questions_per_s: round((QUESTIONS * 1000) / busy),
};
const orderViolations = feed.orderViolations;
await feed.close();
const of = (key: keyof Timing) => summary(timings.map((x) => x[key]));
const pipeline = of('first_delta');
progress(`send → first delta: ${JSON.stringify(pipeline)}`);

progress('raw parts: event row round trip');
const rawConversation = await mutate('conversation.create', { workspaceId, title: 'Raw event rows' }, token);
const eventRow = await eventRoundTrip(rt, rawConversation.id, WARMUP, QUESTIONS);
progress(`  ${JSON.stringify(eventRow.round_trip_ms)}`);
progress('raw parts: queue add → pickup');
const queue = await queuePickup(TEST_REDIS_URL, rt.databaseUrl, `${rt.queues.target.prefix}-raw`, WARMUP, QUESTIONS);
progress(`  ${JSON.stringify(queue.add_to_pickup_ms)}`);

await worker.close();
await server.close();
await llm.close();
agent.destroy();
await rt.close();

console.log(JSON.stringify({
  mode, questions: QUESTIONS, per_conversation: PER_CONVERSATION, provider: 'openai SDK → local OpenAI-protocol server (instant stream)',
  send_to_first_delta_ms: pipeline,
  // Where the time goes, per question: every figure from the same send (t0); job timestamps are
  // BullMQ's (whole ms, the server's and the worker's clocks: one machine).
  stages_ms: {
    http_send: of('http_send'),
    send_to_job_added: of('send_to_job_added'),
    queue_add_to_pickup: of('queue_add_to_pickup'),
    pickup_to_llm_request: of('pickup_to_llm_request'),
    llm_request_to_first_delta: of('llm_request_to_first_delta'),
    send_to_queued_event: of('queued_event'),
    send_to_running_event: of('running_event'),
    send_to_completed_event: of('completed_event'),
  },
  raw: { queue, event_row: eventRow },
  /** The path's least cost from its raw parts: one enqueue and pickup, one event row round trip. */
  raw_floor_p50_ms: round(queue.add_to_pickup_ms.p50 + eventRow.round_trip_ms.p50),
  order_violations: orderViolations,
  cpu,
  // Latency means little on a busy machine: say how busy it was.
  cpus: cpus().length, load_avg_1m: round(loadavg()[0]!),
  goals: { p95Under100ms: pipeline.p95 < 100 },
}));
process.exit(0);
