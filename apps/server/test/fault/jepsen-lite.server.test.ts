// docs/reliability.md §24, Jepsen-lite: concurrent clients through two servers while a nemesis kills
// servers, the worker and Redis; then every acknowledged question is checked against the database.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed, vi } from 'vitest';
import { Queues } from '@tandem/core';
import { followConversation, httpClient, signUp, type Viewer } from './clients.ts';
import { shownText } from './conversation-checks.ts';
import { faultEnv } from './fault-env.ts';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';
import { redisServerAvailable, startPrivateRedis, type PrivateRedis } from './private-redis.ts';
import { startServerProcess, startWorkerProcess, tails, type AppProcess, type ServerProcess } from './processes.ts';

const CLIENTS = 4;
const SENDS_PER_CLIENT = 4;

interface Ack {
  client: number;
  content: string;
  clientMessageId: string;
  messageId: string;
  attempts: number;
}

describe.runIf(privatePostgresAvailable() && redisServerAvailable())('ordering under faults (Jepsen-lite)', () => {
  let cluster: PrivatePostgres;
  let redis: PrivateRedis;
  let env: Record<string, string>;
  const servers: (ServerProcess | null)[] = [null, null];
  const workers: (AppProcess | null)[] = [null, null];
  let inspector: Queues;
  let db: pg.Client;
  const history: string[] = [];
  const note = (what: string) => history.push(`${new Date().toISOString().slice(14, 23)} ${what}`);

  beforeAll(async () => {
    [cluster, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    env = await faultEnv({ databaseUrl: cluster.url, redisUrl: redis.url }, {
      OFFLINE_WORD_DELAY_MS: '4', JOB_LOCK_MS: '2000', ASSISTANT_RATE_LIMIT_PER_HOUR: '1000'
    });
    // All at once, as in a deployment: migrations take an advisory lock, one process applies them.
    [servers[0], servers[1], workers[0], workers[1]] = await Promise.all([
      startServerProcess(env), startServerProcess(env), startWorkerProcess(env), startWorkerProcess(env),
    ]);
    inspector = new Queues({ redisUrl: redis.url, databaseUrl: cluster.url, prefix: env.QUEUE_PREFIX! }, pino({ level: 'silent' }));
    db = new pg.Client({ connectionString: cluster.url });
    await db.connect();
  }, 240_000); // processes start slowly on a busy machine
  afterAll(async () => {
    await Promise.all([...servers, ...workers].map((p) => p?.kill()));
    await inspector?.close(0);
    await db?.end();
    await Promise.all([cluster?.close(), redis?.close()]);
  });
  beforeEach(() => onTestFailed(() => console.error(`${history.join('\n')}\n${tails({ a: servers[0]!, b: servers[1]!, w1: workers[0]!, w2: workers[1]! }, 20)}`)));

  /** A live server for client `i` (a load balancer's pick), the other one while it is down. */
  const urlFor = (i: number) => {
    const up = servers.filter((s): s is ServerProcess => !!s?.alive());
    return (up[i % Math.max(up.length, 1)] ?? servers[0]!).url;
  };

  // Each client retries a failed send with the same clientMessageId and records what was
  // acknowledged and the event stream it received (resuming with lastEventId). The nemesis SIGKILLs
  // a server and restarts it, SIGKILLs the worker running a reply and restarts it, and restarts
  // Redis (its data gone).
  it('keeps every acknowledged question exactly once, one order for all, gapless, one reply each', async () => {
    // Setup: an owner, three members, one conversation they all follow from its start.
    const owner = await signUp(servers[0]!.url, 'Owner');
    const users = [owner];
    for (let i = 1; i < CLIENTS; i++) {
      const email = `member${i}-${randomUUID().slice(0, 8)}@example.com`;
      const { token, user } = await httpClient(servers[0]!.url).auth.register.mutate({ email, password: 'correct horse', name: `Member ${i}` });
      const { url } = await httpClient(servers[0]!.url, owner.token).workspace.invite.mutate({ workspaceId: owner.workspaceId, email, role: 'member' });
      await httpClient(servers[0]!.url, token).workspace.acceptInvite.mutate({ token: url.slice(url.lastIndexOf('/') + 1) });
      users.push({ token, userId: user.id, workspaceId: owner.workspaceId });
    }
    const conversation = await httpClient(servers[0]!.url, owner.token).conversation.create.mutate({ workspaceId: owner.workspaceId });
    const viewers: Viewer[] = users.map((u, i) => followConversation(() => urlFor(i), u.token, conversation.id, conversation.lastSeq));

    // Clients: send, and on any failure send again with the same id, until acknowledged.
    const acks: Ack[] = [];
    const client = async (i: number) => {
      for (let m = 0; m < SENDS_PER_CLIENT; m++) {
        const input = { conversationId: conversation.id, content: `Client ${i} question ${m}: hello, what can you do?`, clientMessageId: randomUUID() };
        for (let attempt = 1; ; attempt++) {
          const outcome = await fetch(`${urlFor(i + attempt)}/trpc/conversation.send`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${users[i]!.token}` },
            body: JSON.stringify(input),
            signal: AbortSignal.timeout(10_000),
          }).then(
            async (res) => ({ status: res.status, body: (await res.json()) as { result?: { data: { message: { id: string } } } }, err: null }),
            (err: Error) => ({ status: 0, body: {}, err }),
          );
          if (outcome.status === 200 && 'result' in outcome.body) {
            acks.push({ client: i, ...input, messageId: outcome.body.result!.data.message.id, attempts: attempt });
            break;
          }
          note(`client ${i} send ${m} attempt ${attempt}: ${outcome.status || outcome.err?.message}`);
          expect([0, 500, 502, 503]).toContain(outcome.status); // unavailable, never refused
          await sleep(300);
        }
        await sleep(700 + Math.random() * 1300);
      }
    };

    // The nemesis: a server, then the worker running a reply, then Redis. Killed processes are
    // started again in the background (that takes seconds); the others carry on meanwhile.
    const restarts: Promise<void>[] = [];
    const nemesis = async () => {
      await sleep(2500);
      note('kill server a');
      await servers[0]!.kill('SIGKILL');
      const port = new URL(servers[0]!.url).port;
      restarts.push(startServerProcess({ ...env, PORT: port }).then((s) => {
        servers[0] = s;
        note('server a back');
      }));

      let victim = -1;
      await vi.waitFor(async () => {
        const active = await inspector.queue('assistant').getJobs(['active']);
        const pids = active.map((j) => Number(j.processedBy?.split(':').pop()));
        victim = workers.findIndex((w) => w && pids.includes(w.child.pid!));
        expect(victim).toBeGreaterThanOrEqual(0);
      }, { timeout: 20_000, interval: 25 });
      note(`kill worker ${victim + 1} mid-run`);
      await workers[victim]!.kill('SIGKILL');
      restarts.push(startWorkerProcess(env).then((w) => {
        workers[victim] = w;
        note(`worker ${victim + 1} back`);
      }));

      await sleep(3000); // the other worker takes over the stalled run (lock 2 s)
      note('redis down');
      await redis.stop({ hard: true });
      await sleep(1500);
      await redis.start();
      note('redis up');
    };

    await Promise.all([...users.map((_, i) => client(i)), nemesis()]);
    note('all sends acknowledged');
    // The restarted server takes one more question, answered like the others.
    await Promise.all(restarts);
    expect([...servers, ...workers].every((p) => p?.alive())).toBe(true);
    const last = { conversationId: conversation.id, content: 'Last question, through the restarted server: hello?', clientMessageId: randomUUID() };
    const { message } = await httpClient(servers[0]!.url, owner.token).conversation.send.mutate(last);
    acks.push({ client: 0, ...last, messageId: message.id, attempts: 1 });

    // Every question is answered once the system has settled (the sweep finds runs whose job
    // Redis lost within SWEEP_MS).
    const runStates = async () =>
      (await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from runs where conversation_id = $1 group by status`, [conversation.id])).rows;
    await vi.waitFor(async () => expect(await runStates()).toEqual([{ status: 'completed', n: acks.length }]), { timeout: 60_000, interval: 250 });
    const [{ last_seq: lastSeq }] = (await db.query<{ last_seq: number }>(`select last_seq from conversations where id = $1`, [conversation.id])).rows as [{ last_seq: number }];
    await vi.waitFor(() => expect(viewers.map((v) => v.events.at(-1)?.seq)).toEqual(viewers.map(() => lastSeq)), { timeout: 30_000, interval: 100 });
    note(`settled at seq ${lastSeq}; viewer resumes ${viewers.map((v) => v.resumes).join(',')}`);

    // 1. Every acknowledged question is stored exactly once, as acknowledged.
    const messages = (await db.query<{ id: string; role: string; content: string; status: string; run_id: string }>(
      `select id, role, content, status, run_id from messages where conversation_id = $1 order by seq`, [conversation.id])).rows;
    expect(acks).toHaveLength(CLIENTS * SENDS_PER_CLIENT + 1);
    for (const ack of acks) expect(messages.filter((m) => m.content === ack.content).map((m) => m.id)).toEqual([ack.messageId]);
    expect(messages.filter((m) => m.role === 'user')).toHaveLength(acks.length);

    // 2. Every client saw the same events in the same order: the log, gapless, nothing twice.
    const log = (await db.query<{ seq: number; type: string }>(`select seq, type from conversation_events where conversation_id = $1 order by seq`, [conversation.id])).rows;
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: lastSeq - conversation.lastSeq }, (_, k) => conversation.lastSeq + 1 + k));
    for (const v of viewers) expect(v.events.map((e) => [e.seq, e.event.type])).toEqual(log.map((e) => [e.seq, e.type]));

    // 3. Every question got exactly one final reply, complete, shown as stored.
    const runs = (await db.query<{ id: string; question_message_id: string; reply_message_id: string }>(
      `select id, question_message_id, reply_message_id from runs where conversation_id = $1`, [conversation.id])).rows;
    expect(new Set(runs.map((r) => r.question_message_id)).size).toBe(acks.length);
    const events = viewers[0]!.events.map((e) => e.event);
    for (const run of runs) {
      const reply = messages.find((m) => m.id === run.reply_message_id)!;
      expect(reply).toMatchObject({ role: 'assistant', status: 'complete', run_id: run.id });
      expect(events.filter((e) => e.type === 'run.status' && e.runId === run.id && e.status === 'completed')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'message.completed' && e.messageId === reply.id)).toHaveLength(1);
      for (const v of viewers) expect(shownText(v, reply.id)).toBe(reply.content);
    }
    expect(messages.filter((m) => m.role === 'assistant')).toHaveLength(runs.length);
    await Promise.all(viewers.map((v) => v.close()));
  }, 150_000);
});
