// docs/reliability.md §1: a worker SIGKILLed in the middle of an assistant run; another worker
// process retries the job and the conversation ends with exactly one reply.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableModes, TEST_REDIS_URL } from '@tandem/core/testing';
import type { ConversationEvent } from '@tandem/schema';
import { startTestApp, watchSubscription, type TestApp } from './harness.ts';

const modes = await availableModes();
const ROOT = join(import.meta.dirname, '../../..');

describe.runIf(modes.includes('services'))('worker killed mid-run (services)', () => {
  let app: TestApp;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    // No in-process workers: the runs happen in worker processes we can kill.
    app = await startTestApp('services', {}, { workers: false });
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await app?.close();
  });

  function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH, HOME: process.env.HOME,
        DATABASE_URL: app.rt.databaseUrl, REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: app.rt.queues.target.prefix, JOB_LOCK_MS: '1000',
        OFFLINE_WORD_DELAY_MS: '120', LOG_LEVEL: 'info', DATA_DIR: app.rt.dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 60_000);
      child.stdout.on('data', () => {
        if (out.includes('workers started')) {
          clearTimeout(timer);
          resolve(child);
        }
      });
    });
  }

  // One reply whose stored text equals what viewers were shown (never doubled), one completion,
  // no failure.
  it('retries the run elsewhere and ends with exactly one reply', async () => {
    const u = await app.signUp('Crash');
    const c = await app.client(u.token).conversation.create.mutate({ workspaceId: u.workspaceId });
    const ws = app.wsClient(u.token);
    const probe = watchSubscription<{ id: string; data: ConversationEvent }>((o) =>
      ws.client.conversation.events.subscribe({ conversationId: c.id, lastEventId: String(c.lastSeq) }, o));
    const events = () => probe.data.flatMap((d) => (d.data ? [d.data] : [])); // skip presence

    const first = await startWorker();
    await app.client(u.token).conversation.send.mutate({ conversationId: c.id, content: 'Which items are low on stock?', clientMessageId: randomUUID() });
    // Kill it once some of the reply has been streamed.
    await vi.waitFor(() => expect(events().filter((e) => e.type === 'message.delta' && e.text).length).toBeGreaterThan(2), { timeout: 30_000, interval: 20 });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    await startWorker();
    await vi.waitFor(() => expect(events().some((e) => e.type === 'run.status' && e.status === 'completed')).toBe(true), { timeout: 60_000, interval: 100 });

    const all = events();
    expect(all.filter((e) => e.type === 'message.completed')).toHaveLength(1);
    expect(all.filter((e) => e.type === 'run.status' && (e.status === 'failed' || e.status === 'timeout'))).toHaveLength(0);
    expect(all.filter((e) => e.type === 'message.created' && e.message.role === 'assistant')).toHaveLength(1);
    // The retry restarted the reply: what a viewer shows (deltas after the last reset) is the stored text.
    const resetAt = all.map((e) => e.type === 'message.delta' && e.replace === true).lastIndexOf(true);
    expect(resetAt).toBeGreaterThan(0);
    const shown = all.slice(resetAt).flatMap((e) => (e.type === 'message.delta' ? [e.text] : [])).join('');
    const got = await app.client(u.token).conversation.get.query({ conversationId: c.id });
    expect(got.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(got.messages[1]!.status).toBe('complete');
    expect(got.messages[1]!.content).toBe(shown);
    expect((all.find((e) => e.type === 'message.completed') as Extract<ConversationEvent, { type: 'message.completed' }>).content).toBe(shown);
    probe.unsubscribe();
    await ws.close();
  });
});
