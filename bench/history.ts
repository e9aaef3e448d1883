// Benchmark: conversation.get latency on 100- and 10,000-message conversations through the real
// server (HTTP tRPC, auth, membership check, ORM), side by side with the same page read by raw SQL.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { availableModes, createTestRuntime } from '@tandem/core/testing';
import { createConversation } from '@tandem/core';
import { createHttpServer, createServerServices } from '@tandem/server/embed';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
// On real PostgreSQL when it answers (services mode), else embedded.
const mode = (await availableModes()).includes('services') ? 'services' : 'embedded';
const rt = await createTestRuntime(mode);
const app = createHttpServer(createServerServices(rt));
const url = await app.listen(0, '127.0.0.1');

const rpc = async (path: string, input: unknown, token?: string, method = 'POST') => {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const res = method === 'GET'
    ? await fetch(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
    : await fetch(`${url}/trpc/${path}`, { method, headers, body: JSON.stringify(input) });
  const body = (await res.json()) as { result: { data: any } };
  return body.result.data;
};

const { token } = await rpc('auth.register', { email: `bench-${randomUUID()}@example.com`, password: 'correct horse', name: 'Bench' });
const me = await rpc('auth.me', undefined, token, 'GET');
const workspaceId: string = me.workspaces[0].id;

async function conversationWith(n: number): Promise<string> {
  const c = await createConversation(rt.orm.em.fork(), workspaceId, me.user.id, `${n} messages`);
  await rt.orm.em.fork().execute(
    `insert into messages (id, conversation_id, seq, role, author_id, content, status, created_at)
     select gen_random_uuid(), ?, s, case when s % 2 = 1 then 'user' else 'assistant' end,
            case when s % 2 = 1 then ?::uuid end, repeat('word ', 40), 'complete', now()
     from generate_series(1, ?) as s`,
    [c.id, me.user.id, n],
  );
  await rt.orm.em.fork().execute(`update conversations set last_seq = ? where id = ?`, [n, c.id]);
  await rt.orm.em.fork().execute('analyze messages'); // as autovacuum would, before steady-state reads
  return c.id;
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function measure(fn: () => Promise<unknown>) {
  for (let i = 0; i < 20; i++) await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return { p50: +percentile(times, 50).toFixed(2), p95: +percentile(times, 95).toFixed(2), p99: +percentile(times, 99).toFixed(2) };
}

const raw = new pg.Pool({ connectionString: rt.databaseUrl, max: 2 });
raw.on('error', () => undefined);
const figures: Record<string, unknown> = { mode, iterations: ITERATIONS };
for (const n of [100, 10_000]) {
  const id = await conversationWith(n);
  const api = await measure(() => rpc('conversation.get', { conversationId: id, limit: 50 }, token, 'GET'));
  const baseline = await measure(() => raw.query('select * from messages where conversation_id = $1 order by seq desc limit 51', [id]));
  figures[`get_${n}_ms`] = api;
  figures[`raw_sql_${n}_ms`] = baseline;
  console.log(`${n} messages: conversation.get p95 ${api.p95} ms (raw SQL p95 ${baseline.p95} ms)`);
}
await raw.end();
await app.close();
await rt.close();
// The shared-sessions issue's goal: a page of a conversation in under 20 ms at p95, however long it is.
const p95 = (n: number) => (figures[`get_${n}_ms`] as { p95: number }).p95;
figures.goals = { get_100_p95_under_20ms: p95(100) < 20, get_10000_p95_under_20ms: p95(10_000) < 20 };
console.log(JSON.stringify(figures));
