// docs/reliability.md §6: PostgreSQL stops for a few seconds in the middle of an assistant run; the
// processes survive and the run is finalised exactly once after recovery with the whole answer.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed, vi } from 'vitest';
import { followConversation, httpClient, signUp } from './clients.ts';
import { completedOf, finalStatuses, readyz, shownText } from './conversation-checks.ts';
import { faultEnv } from './fault-env.ts';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';
import { redisServerAvailable, startPrivateRedis, type PrivateRedis } from './private-redis.ts';
import { startServerProcess, startWorkerProcess, tails, type AppProcess, type ServerProcess } from './processes.ts';

// Not a data question: the offline assistant answers it with a fixed text of 71 words, no tool.
const QUESTION = 'Hello, what can you do?';
const OUTAGE_MS = 4000;

// Both queue backends: on Redis (server and worker processes), and on PostgreSQL itself
// (DATABASE_URL without REDIS_URL: its bus is in-process, so server and worker are one process).
const shapes = [
  { shape: 'queue on Redis', redis: true },
  { shape: 'queue on PostgreSQL', redis: false },
];

describe.runIf(privatePostgresAvailable() && redisServerAvailable()).each(shapes)('PostgreSQL unavailable mid-run ($shape)', ({ redis: withRedis }) => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis | undefined;
  let server: ServerProcess;
  let worker: AppProcess;
  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPrivatePostgres(), withRedis ? startPrivateRedis() : undefined]);
    const env = await faultEnv({ databaseUrl: pg.url, redisUrl: redis?.url }, { OFFLINE_WORD_DELAY_MS: '50', ASSISTANT_TIMEOUT_MS: '120000' });
    server = await startServerProcess(env, { withWorkers: !withRedis });
    worker = withRedis ? await startWorkerProcess(env) : server;
  }, 240_000); // processes start slowly on a busy machine
  afterAll(async () => {
    await Promise.all([server?.kill(), worker?.kill()]);
    await Promise.all([pg?.close(), redis?.close()]);
  });
  beforeEach(() => onTestFailed(() => console.error(tails({ server, worker }))));

  // A private cluster, `pg_ctl stop -m fast` then start on the same port. While it is down /readyz
  // names the database and calls answer 503 with Retry-After; no reply is marked complete while
  // partial.
  it('processes survive, readiness names the database, and the run finishes once with the whole answer', async () => {
    const u = await signUp(server.url);
    const api = httpClient(server.url, u.token);
    const c = await api.conversation.create.mutate({ workspaceId: u.workspaceId });
    const viewer = followConversation(() => server.url, u.token, c.id, c.lastSeq);
    onTestFailed(() => console.error('viewer saw', JSON.stringify(viewer.events.slice(-8))));
    await api.conversation.send.mutate({ conversationId: c.id, content: QUESTION, clientMessageId: randomUUID() });
    await vi.waitFor(() => expect(viewer.events.filter(({ event: e }) => e.type === 'message.delta' && e.text).length).toBeGreaterThan(3), { timeout: 30_000, interval: 20 });

    await pg.stop('fast');
    const down = await readyz(server.url);
    expect(down.status).toBe(503);
    expect(down.body.checks.database).not.toBe('ok');
    // A call that needs the database says so, and when to come back, instead of "something went wrong".
    const refused = await fetch(`${server.url}/trpc/conversation.get?input=${encodeURIComponent(JSON.stringify({ conversationId: c.id }))}`, {
      headers: { authorization: `Bearer ${u.token}` },
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/database is unavailable/);
    await sleep(OUTAGE_MS); // the outage itself; the run keeps streaming into the worker's buffer
    expect(server.alive(), server.output()).toBe(true);
    expect(worker.alive(), worker.output()).toBe(true);
    await pg.start();

    await vi.waitFor(() => expect(finalStatuses(viewer)).not.toEqual([]), { timeout: 60_000, interval: 100 });
    await vi.waitFor(async () => {
      const ready = await readyz(server.url);
      expect(ready.status, JSON.stringify(ready.body.checks)).toBe(200);
    }, { timeout: 15_000, interval: 200 });
    expect(server.alive(), server.output()).toBe(true);
    expect(worker.alive(), worker.output()).toBe(true);

    // The worker met the outage: it either finished the answer while the database was down and
    // waited to store it ('retrying'), or, on a slow machine, was still streaming when the
    // database came back and only saw its connections drop. (With the queue on PostgreSQL the
    // job's lock cannot be renewed during the outage either, so BullMQ may instead hand the job to
    // a new attempt, which answers again; attempts are fenced, and the checks below hold either way.)
    if (withRedis) expect(worker.output()).toMatch(/database unavailable; retrying|database connection error/);
    expect(finalStatuses(viewer)).toEqual(['completed']);
    expect(completedOf(viewer)).toHaveLength(1);
    const got = await api.conversation.get.query({ conversationId: c.id });
    expect(got.messages.map((m) => [m.role, m.status])).toEqual([['user', 'complete'], ['assistant', 'complete']]);
    const stored = got.messages[1]!.content;
    expect(completedOf(viewer)[0]!.content).toBe(stored);
    expect(shownText(viewer)).toBe(stored);

    // The same question without a fault gives the whole answer: the one above is not a partial one.
    const ref = await api.conversation.create.mutate({ workspaceId: u.workspaceId });
    const refViewer = followConversation(() => server.url, u.token, ref.id, ref.lastSeq);
    await api.conversation.send.mutate({ conversationId: ref.id, content: QUESTION, clientMessageId: randomUUID() });
    await vi.waitFor(() => expect(completedOf(refViewer)).toHaveLength(1), { timeout: 30_000, interval: 100 });
    expect(stored).toBe(completedOf(refViewer)[0]!.content);
    await Promise.all([viewer.close(), refViewer.close()]);
  }, 150_000);
});
