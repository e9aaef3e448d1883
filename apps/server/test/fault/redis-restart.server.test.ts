// docs/reliability.md §4: a private Redis (queue and bus) restarted with its data gone, idle and
// mid-run, and frozen: sends fail fast (503), every question is answered once, all resume unaided.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed, vi } from 'vitest';
import { followConversation, httpClient, signUp, type Viewer } from './clients.ts';
import { completedOf, finalStatuses, readyz, shownText } from './conversation-checks.ts';
import { faultEnv } from './fault-env.ts';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';
import { redisServerAvailable, startPrivateRedis, type PrivateRedis } from './private-redis.ts';
import { startServerProcess, startWorkerProcess, tails, type AppProcess, type ServerProcess } from './processes.ts';

// Not a data question: the offline assistant answers it with a fixed text of 71 words, no tool.
const QUESTION = 'Hello, what can you do?';

/** conversation.send as a raw HTTP call, to see the status and headers a client gets. */
async function rawSend(url: string, token: string, input: { conversationId: string; content: string; clientMessageId: string }) {
  const res = await fetch(`${url}/trpc/conversation.send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(15_000), // a hanging send fails the test instead of stalling it
  });
  const body = (await res.json()) as { error?: { message: string; data: { code: string } } };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), error: body.error };
}

// Sends fail with a clear error (503, Retry-After) instead of hanging; the question is stored once
// and a resend with the same clientMessageId (or, failing that, the worker's sweep) gets it
// answered; workers and the bus resume without help.
describe.runIf(privatePostgresAvailable() && redisServerAvailable())('Redis stopped and restarted', () => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  let server: ServerProcess;
  let worker: AppProcess;
  let u: Awaited<ReturnType<typeof signUp>>;
  let reference: string;
  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    const env = await faultEnv({ databaseUrl: pg.url, redisUrl: redis.url }, { OFFLINE_WORD_DELAY_MS: '50', ASSISTANT_TIMEOUT_MS: '120000' });
    server = await startServerProcess(env);
    worker = await startWorkerProcess(env);
    u = await signUp(server.url);
  }, 240_000); // processes start slowly on a busy machine
  afterAll(async () => {
    await Promise.all([server?.kill(), worker?.kill()]);
    await Promise.all([pg?.close(), redis?.close()]);
  });

  beforeEach(() => onTestFailed(() => console.error(tails({ server, worker }))));
  const api = () => httpClient(server.url, u.token);
  async function conversation(): Promise<{ id: string; viewer: Viewer }> {
    const c = await api().conversation.create.mutate({ workspaceId: u.workspaceId });
    return { id: c.id, viewer: followConversation(() => server.url, u.token, c.id, c.lastSeq) };
  }

  it('idle: sends fail fast and clearly; a resend with the same id, and a send never resent, are answered once; the bus resumes', async () => {
    const c = await conversation();
    await api().conversation.send.mutate({ conversationId: c.id, content: QUESTION, clientMessageId: randomUUID() });
    await vi.waitFor(() => expect(completedOf(c.viewer)).toHaveLength(1), { timeout: 30_000, interval: 50 });
    reference = completedOf(c.viewer)[0]!.content;

    await redis.stop();
    const resent = { conversationId: c.id, content: 'What can you do, once more?', clientMessageId: randomUUID() };
    const failed = await rawSend(server.url, u.token, resent);
    expect(failed.status).toBe(503);
    expect(failed.error?.data.code).toBe('SERVICE_UNAVAILABLE');
    expect(failed.error?.message).toMatch(/queue is unavailable.*try again/i);
    expect(Number(failed.retryAfter)).toBeGreaterThan(0);
    // This one is never resent: the worker finds its run without a job once Redis is back.
    const abandoned = await rawSend(server.url, u.token, { conversationId: c.id, content: 'And a third time?', clientMessageId: randomUUID() });
    expect(abandoned.status).toBe(503);
    const down = await readyz(server.url);
    expect(down.status).toBe(503);
    expect(down.body.checks.queue).not.toBe('ok');

    await redis.start();
    await vi.waitFor(async () => expect((await rawSend(server.url, u.token, resent)).status).toBe(200), { timeout: 15_000, interval: 250 });
    await vi.waitFor(() => expect(completedOf(c.viewer)).toHaveLength(3), { timeout: 60_000, interval: 100 });
    // The same subscription, never resubscribed, saw it all: the bus reconnected by itself.
    expect(c.viewer.resumes).toBe(0);
    await vi.waitFor(async () => expect((await readyz(server.url)).status).toBe(200), { timeout: 15_000, interval: 250 });

    const got = await api().conversation.get.query({ conversationId: c.id });
    // Both questions were stored while Redis was down, then answered in send order.
    expect(got.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'user', 'assistant', 'assistant']);
    expect(got.messages.filter((m) => m.content === resent.content)).toHaveLength(1);
    expect(got.messages.every((m) => m.status === 'complete')).toBe(true);
    expect(finalStatuses(c.viewer)).toEqual(['completed', 'completed', 'completed']);
    expect(worker.alive() && server.alive()).toBe(true);
    await c.viewer.close();
  }, 150_000);

  it('stalled: a send fails after the command timeout instead of hanging, and goes through after the stall', async () => {
    const c = await conversation();
    const input = { conversationId: c.id, content: QUESTION, clientMessageId: randomUUID() };
    redis.freeze();
    try {
      const stalled = await rawSend(server.url, u.token, input); // aborts after 15 s if it hangs
      expect(stalled.status).toBe(503);
      expect(stalled.error?.data.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      redis.thaw();
    }
    await vi.waitFor(async () => expect((await rawSend(server.url, u.token, input)).status).toBe(200), { timeout: 15_000, interval: 250 });
    await vi.waitFor(() => expect(completedOf(c.viewer)).toHaveLength(1), { timeout: 30_000, interval: 100 });
    expect(completedOf(c.viewer)[0]!.content).toBe(reference);
    await c.viewer.close();
  }, 150_000);

  it('mid-run: the reply being streamed is finished once, whole, and the next question is answered', async () => {
    const c = await conversation();
    onTestFailed(() => console.error(JSON.stringify(c.viewer.events.map((e) => [e.seq, e.event.type, 'text' in e.event ? e.event.text : 'status' in e.event ? e.event.status : '']))));
    await api().conversation.send.mutate({ conversationId: c.id, content: QUESTION, clientMessageId: randomUUID() });
    await vi.waitFor(() => expect(c.viewer.events.filter(({ event: e }) => e.type === 'message.delta' && e.text).length).toBeGreaterThan(3), { timeout: 30_000, interval: 20 });
    await redis.stop({ hard: true });
    await sleep(3000); // the outage
    await redis.start();

    await vi.waitFor(() => expect(finalStatuses(c.viewer)).toHaveLength(1), { timeout: 60_000, interval: 100 });
    expect(finalStatuses(c.viewer)).toEqual(['completed']);
    expect(completedOf(c.viewer)).toHaveLength(1);
    const got = await api().conversation.get.query({ conversationId: c.id });
    expect(got.messages[1]!.status).toBe('complete');
    expect(got.messages[1]!.content).toBe(reference);
    expect(shownText(c.viewer)).toBe(reference);

    await api().conversation.send.mutate({ conversationId: c.id, content: QUESTION, clientMessageId: randomUUID() });
    await vi.waitFor(() => expect(completedOf(c.viewer)).toHaveLength(2), { timeout: 30_000, interval: 100 });
    expect(worker.alive() && server.alive()).toBe(true);
    await c.viewer.close();
  }, 120_000);
});
