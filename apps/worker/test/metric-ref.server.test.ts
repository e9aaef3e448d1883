// A question with an attached chart range (metricRef) reaches the model with the agent, metric and
// range as a bracketed line — the question, and later the history — through each provider's real SDK
// (OpenAI, Gemini) and a local server speaking its protocol; the model's query_agent_metrics call
// with those values runs on the real samples. Both runtime modes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConversation, listWorkspacesOf, readEvents, registerUser, sendMessage } from '@tandem/core';
import { availableModes, createTestRuntime, insertTestAgent, insertTestSamples, type TestRuntime } from '@tandem/core/testing';
import type { ConversationEvent, MetricRef } from '@tandem/schema';
import { startWorkers } from '../src/worker.ts';
import type { FakeLlmServer, RecordedRequest } from './fake-llm.ts';
import { startFakeGemini } from './fake-gemini.ts';
import { startFakeOpenAi } from './fake-openai.ts';

const modes = await availableModes();

type Body = RecordedRequest['body'];
type Message = { role: string; content: string };
type Content = { role: string; parts: { text?: string }[] };

/** What the test reads from each provider's request: the questions in order, the round after the last one, the system text. */
const providers = {
  openai: {
    start: startFakeOpenAi,
    env: (url: string): Record<string, string> => ({ LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: url }),
    questions: (body: Body): string[] => (body.messages as Message[]).filter((m) => m.role === 'user').map((m) => m.content),
    round(body: Body): number {
      const msgs = body.messages as Message[];
      return msgs.slice(msgs.findLastIndex((m) => m.role === 'user')).filter((m) => m.role === 'assistant').length;
    },
    system: (body: Body): string => JSON.stringify((body.messages as Message[])[0]),
  },
  gemini: {
    start: startFakeGemini,
    env: (url: string): Record<string, string> => ({ LLM_PROVIDER: 'gemini', GEMINI_API_KEY: 'gm-test', GEMINI_BASE_URL: url }),
    questions: (body: Body): string[] => (body.contents as Content[]).filter((c) => c.role === 'user' && c.parts[0]?.text).map((c) => c.parts[0]!.text!),
    round(body: Body): number {
      const contents = body.contents as Content[];
      return contents.slice(contents.findLastIndex((c) => c.role === 'user' && c.parts[0]?.text)).filter((c) => c.role === 'model').length;
    },
    system: (body: Body): string => JSON.stringify(body.systemInstruction),
  },
};
type ProviderName = keyof typeof providers;
const cases = modes.flatMap((mode) => (Object.keys(providers) as ProviderName[]).map((provider) => [mode, provider] as const));
const ATTACHED = /\[Attached chart: agent (\S+) \(id ([0-9a-f-]{36})\), metric (\w+), from (\S+) to (\S+)\]/;

describe.each(cases)('metric range in the assistant context (%s, %s)', (mode, providerName) => {
  const wire = providers[providerName];
  let rt: TestRuntime;
  let fake: FakeLlmServer & { url: string };
  let me: { userId: string; workspaceId: string };
  let agentId: string;
  const to = Date.now() - 60_000;
  const from = to - 30 * 60_000;

  beforeAll(async () => {
    // The "model" does what the system prompt asks: it queries the attached range exactly as given.
    fake = await wire.start((_i, request) => {
      const attached = ATTACHED.exec(wire.questions(request.body).at(-1) ?? '');
      if (wire.round(request.body) === 0 && attached)
        return { toolCalls: [{ name: 'query_agent_metrics', args: { agent: attached[2], metric: attached[3], from: attached[4], to: attached[5] } }] };
      return { text: ['Latency rose at the end.'] };
    });
    rt = await createTestRuntime(mode, wire.env(fake.url));
    startWorkers(rt);
    const user = await registerUser(rt.orm.em.fork(), { email: `ref-${randomUUID()}@example.com`, password: 'correct horse', name: 'Ref' });
    me = { userId: user.id, workspaceId: (await listWorkspacesOf(rt.orm.em.fork(), user.id))[0]!.id };
    agentId = await insertTestAgent(rt.orm.em.fork(), me.workspaceId, { name: 'checkout-bot' });
    await insertTestSamples(rt.orm.em.fork(), me.workspaceId, Array.from({ length: 30 }, (_, i) => ({
      agentId, ts: from + i * 60_000 + 1000, latency_ms: i < 25 ? 100 : 900,
    })));
  });
  afterAll(async () => {
    await rt?.close();
    await fake?.close();
  });

  async function ask(conversationId: string, content: string, metricRef?: MetricRef) {
    const { runId } = await sendMessage(
      { em: rt.orm.em.fork(), bus: rt.bus, queues: rt.queues, ratePerHour: 100 },
      { conversationId, content, clientMessageId: randomUUID(), userId: me.userId, workspaceId: me.workspaceId, metricRef },
    );
    await vi.waitFor(async () => {
      const [row] = await rt.orm.em.fork().execute<{ status: string }[]>('select status from runs where id = ?', [runId]);
      expect(row?.status).toBe('completed');
    }, { timeout: 30_000, interval: 100 });
    return fake.requests.filter((r) => wire.questions(r.body).at(-1)?.startsWith(content));
  }

  it('sends the range as a bracketed line with the question, and the model\'s query with those values runs', async () => {
    const c = await createConversation(rt.orm.em.fork(), me.workspaceId, me.userId);
    const requests = await ask(c.id, 'What happened here?', { agentId, metric: 'latency_ms', from, to });
    expect(requests).toHaveLength(2);
    const question = wire.questions(requests[0]!.body).at(-1)!;
    expect(question).toBe(
      `What happened here?\n[Attached chart: agent checkout-bot (id ${agentId}), metric latency_ms, from ${new Date(from).toISOString()} to ${new Date(to).toISOString()}]`);
    expect(wire.system(requests[0]!.body)).toContain('Attached chart');

    const events = (await readEvents(rt.orm.em.fork(), c.id, 0)).map((e) => e.event);
    const finished = events.find((e): e is Extract<ConversationEvent, { type: 'tool.finished' }> => e.type === 'tool.finished')!;
    expect(finished.error).toBeUndefined();
    const data = finished.result as { from: string; to: string; agents: string[]; totals: { agent: string; p95: number }[] };
    expect(data).toMatchObject({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), agents: ['checkout-bot'] });
    expect(data.totals[0]!.p95).toBe(900);

    // A follow-up without a range: the earlier question keeps its line in the history.
    const followUp = await ask(c.id, 'And what should we check first?');
    const sent = wire.questions(followUp[0]!.body);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(ATTACHED);
    expect(sent[1]).toBe('And what should we check first?');
  });
});
