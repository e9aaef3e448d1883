// The assistant reports its own runs into the workspace's agent metrics as `tandem-assistant`:
// one sample per finished run, committed with the run, errors counted, other workspaces untouched.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Worker } from 'bullmq';
import { createConversation, registerUser, sendMessage } from '@tandem/core';
import { availableModes, createTestRuntime, type TestRuntime } from '@tandem/core/testing';
import { makeProcessor } from '../src/processors.ts';
import { ProviderError, type AssistantProvider } from '../src/assistant/provider.ts';

const modes = await availableModes();

/** Answers with a reported cost, or fails for good when asked to. */
const provider: AssistantProvider = {
  name: 'test-model',
  offline: false,
  historyTokens: 16_000,
  async answer({ question }, sink) {
    if (question.includes('fail')) throw new ProviderError('the model is gone', { tokens: 7, costUsd: 0.0001 }, { permanent: true });
    sink.text('Done.');
    return { tokens: 120, costUsd: 0.0024 };
  },
};

describe.each(modes)('tandem-assistant agent metrics (%s)', (mode) => {
  let rt: TestRuntime;
  let worker: Worker;
  beforeAll(async () => {
    rt = await createTestRuntime(mode);
    worker = rt.queues.startWorker('assistant', makeProcessor(rt, provider));
  });
  afterAll(async () => {
    await worker?.close();
    await rt?.close();
  });

  async function workspaceOf() {
    const user = await registerUser(rt.orm.em.fork(), { email: `m-${randomUUID()}@example.com`, password: 'correct horse', name: 'M' });
    const [{ workspace_id: workspaceId }] = (await rt.orm.em.fork().execute<{ workspace_id: string }[]>('select workspace_id from memberships where user_id = ?', [user.id])) as [{ workspace_id: string }];
    return { userId: user.id, workspaceId };
  }
  async function ask(w: { userId: string; workspaceId: string }, content: string) {
    const c = await createConversation(rt.orm.em.fork(), w.workspaceId, w.userId);
    const { runId } = await sendMessage({ em: rt.orm.em.fork(), bus: rt.bus, queues: rt.queues, ratePerHour: 100 }, { conversationId: c.id, content, clientMessageId: randomUUID(), userId: w.userId, workspaceId: w.workspaceId });
    await vi.waitFor(async () => {
      const [run] = await rt.orm.em.fork().execute<{ status: string }[]>('select status from runs where id = ?', [runId]);
      expect(['completed', 'failed']).toContain(run?.status);
    }, { timeout: 30_000, interval: 50 });
  }
  const samples = (workspaceId: string) => rt.orm.em.fork().execute<{ name: string; model: string; tokens_out: number | null; cost_usd: number | null; requests: number; errors: number; latency_ms: number }[]>(
    `select a.name, a.model, s.tokens_out, s.cost_usd, s.requests, s.errors, s.latency_ms from metric_samples s join agents a on a.id = s.agent_id
      where s.workspace_id = ? order by s.ts`, [workspaceId]);

  it('records each finished run as a sample of tandem-assistant, a failed one as an error, only in its workspace', async () => {
    const w = await workspaceOf();
    const bystander = await workspaceOf();
    await ask(w, 'hello');
    await ask(w, 'please fail');
    const rows = await samples(w.workspaceId);
    expect(rows.map(({ latency_ms: _l, ...r }) => r)).toEqual([
      { name: 'tandem-assistant', model: 'test-model', tokens_out: 120, cost_usd: 0.0024, requests: 1, errors: 0 },
      { name: 'tandem-assistant', model: 'test-model', tokens_out: 7, cost_usd: 0.0001, requests: 1, errors: 1 },
    ]);
    expect(rows.every((r) => r.latency_ms >= 0)).toBe(true);
    const agents = await rt.orm.em.fork().execute<{ name: string; last_seen_at: Date | null }[]>('select name, last_seen_at from agents where workspace_id = ?', [w.workspaceId]);
    expect(agents).toHaveLength(1);
    expect(agents[0]!.last_seen_at).not.toBeNull();
    expect(await samples(bystander.workspaceId)).toEqual([]);
  });
});
