// Context beyond the window (issue 10 item 3): a 300-message conversation through the real worker,
// with the OpenAI provider (real SDK, local OpenAI-protocol server) and the offline assistant, in
// both runtime modes. The request stays under the model's history budget, carries the summary,
// and the summary is computed once and reused by the next run; the reply notes it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConversation, deleteConversation, listWorkspacesOf, readEvents, registerUser, sendMessage } from '@tandem/core';
import { availableModes, createTestRuntime, type TestRuntime } from '@tandem/core/testing';
import type { ConversationEvent } from '@tandem/schema';
import { startWorkers } from '../src/worker.ts';
import { historyBudgetOf, messageTokens } from '../src/assistant/context-budget.ts';
import { SUMMARY_HEADING } from '../src/assistant/summary-prompt.ts';
import type { FakeLlmServer, RecordedRequest } from './fake-llm.ts';
import { startFakeOpenAi } from './fake-openai.ts';

const modes = await availableModes();
const MESSAGES = 300;
const MODEL_SUMMARY = '- Members asked about weekly sales; week 1 revenue was $1,001.00 (SUMMARY-7Q4).';

/** Week `n`'s answer: a headline with its figures, then prose without any (about 150 tokens in all). */
const answerOf = (n: number) =>
  `Week ${n}: revenue $${(1000 + n).toLocaleString('en-US')}.00 from ${n + 10} orders.\n`.padEnd(600, ' The trend held steady and nothing unusual stood out.');
const questionOf = (n: number) => `How did sales go in week ${n}?`;

type Summaries = { content: string; covers_through_seq: number; covered_messages: number; written_by: string; updated_at: Date }[];

async function signUp(rt: TestRuntime) {
  const user = await registerUser(rt.orm.em.fork(), { email: `s-${randomUUID()}@example.com`, password: 'correct horse', name: 'Sam Summary' });
  const [workspace] = await listWorkspacesOf(rt.orm.em.fork(), user.id);
  return { userId: user.id, workspaceId: workspace!.id };
}

/** A conversation with 300 complete messages (150 questions and answers), as if asked over months. */
async function longConversation(rt: TestRuntime, me: { userId: string; workspaceId: string }) {
  const conversation = await createConversation(rt.orm.em.fork(), me.workspaceId, me.userId, 'A long one');
  const rows = Array.from({ length: MESSAGES }, (_, i) => ({
    id: randomUUID(), seq: i + 1, role: i % 2 ? 'assistant' : 'user', author: i % 2 ? null : me.userId,
    content: i % 2 ? answerOf((i + 1) / 2) : questionOf(i / 2 + 1),
  }));
  const em = rt.orm.em.fork();
  await em.execute(
    `insert into messages (id, conversation_id, seq, role, author_id, content, status, created_at)
     select (r->>'id')::uuid, ?, (r->>'seq')::int, r->>'role', (r->>'author')::uuid, r->>'content', 'complete', now() from jsonb_array_elements(?::jsonb) r`,
    [conversation.id, JSON.stringify(rows)],
  );
  await em.execute(`update conversations set last_seq = ? where id = ?`, [MESSAGES, conversation.id]);
  return { conversationId: conversation.id, rows };
}

function useRuntime(mode: (typeof modes)[number], env: () => Record<string, string>) {
  const state = {} as { rt: TestRuntime; me: { userId: string; workspaceId: string } };
  beforeAll(async () => {
    state.rt = await createTestRuntime(mode, env());
    startWorkers(state.rt);
    state.me = await signUp(state.rt);
  });
  afterAll(() => state.rt?.close());

  async function ask(conversationId: string, content: string) {
    const { rt, me } = state;
    const { runId } = await sendMessage(
      { em: rt.orm.em.fork(), bus: rt.bus, queues: rt.queues, ratePerHour: rt.config.ASSISTANT_RATE_LIMIT_PER_HOUR },
      { conversationId, content, clientMessageId: randomUUID(), userId: me.userId, workspaceId: me.workspaceId },
    );
    await vi.waitFor(async () => {
      const [row] = await sql<{ status: string }>('select status from runs where id = ?', [runId]);
      expect(row?.status).toMatch(/^(completed|failed|timeout|cancelled)$/);
    }, { timeout: 30_000, interval: 100 });
    const [run] = await sql<{ status: string; reason: string | null }>('select status, reason from runs where id = ?', [runId]);
    const [reply] = await sql<{ id: string; content: string; tokens: number | null; cost_usd: number | null }>(
      `select id, content, tokens, cost_usd from messages where run_id = ? and role = 'assistant'`, [runId]);
    const events = (await readEvents(rt.orm.em.fork(), conversationId, 0)).map((e) => e.event);
    const notes = events.filter((e): e is Extract<ConversationEvent, { type: 'context.summarised' }> => e.type === 'context.summarised' && e.runId === runId);
    return { run: run!, reply: reply!, notes };
  }
  const sql = <T>(query: string, params: unknown[]) => state.rt.orm.em.fork().getConnection().execute<T[]>(query, params);
  const summaries = (conversationId: string) =>
    sql<Summaries[number]>('select content, covers_through_seq, covered_messages, written_by, updated_at from conversation_summaries where conversation_id = ?', [conversationId]);
  return { state, ask, summaries };
}

describe.each(modes)('a 300-message conversation with OpenAI (%s)', (mode) => {
  let fake: FakeLlmServer & { url: string };
  const isSummaryRequest = (r: RecordedRequest) => r.body.tools === undefined;
  // Registered before the runtime's hooks: the runtime is configured with the fake's address.
  beforeAll(async () => {
    fake = await startFakeOpenAi((_i, request) => isSummaryRequest(request)
      ? { text: [MODEL_SUMMARY], usage: { prompt: 9000, completion: 40 } }
      : { text: ['Week 150 was the best so far.'], usage: { prompt: 7000, completion: 10 } });
  });
  afterAll(() => fake?.close());
  const { state, ask, summaries } = useRuntime(mode, () => ({ LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url }));

  it('sends the newest messages and a summary of the rest under the budget, summarises once, and reuses the summary in the next run', async () => {
    const budget = historyBudgetOf('gpt-4o-mini');
    const { conversationId, rows } = await longConversation(state.rt, state.me);
    expect(rows.reduce((n, r) => n + messageTokens(r), 0)).toBeGreaterThan(budget); // the whole history does not fit

    const first = await ask(conversationId, 'Which week was best?');
    expect(first.run.status).toBe('completed');
    expect(first.reply.content).toBe('Week 150 was the best so far.');

    // One summary request (no tools), reading the oldest messages and not the newest.
    const summaryRequests = fake.requests.filter(isSummaryRequest);
    expect(summaryRequests).toHaveLength(1);
    const summaryInput: string = summaryRequests[0]!.body.messages[1].content;
    expect(summaryInput).toContain(`[member] ${questionOf(1)}\n[assistant] ${answerOf(1)}`);
    expect(summaryInput).not.toContain(answerOf(150));

    // The answer request: the summary first, then the newest messages word for word, under the budget.
    const answers = fake.requests.filter((r) => !isSummaryRequest(r));
    expect(answers).toHaveLength(1);
    const sent: { role: string; content: string }[] = answers[0]!.body.messages;
    const history = sent.slice(1, -1);
    expect(history[0]!.content).toContain(SUMMARY_HEADING);
    expect(history[0]!.content).toContain('SUMMARY-7Q4');
    expect(history.at(-1)).toEqual({ role: 'assistant', content: answerOf(150) });
    expect(history.reduce((n, m) => n + messageTokens(m), 0)).toBeLessThanOrEqual(budget);
    expect(JSON.stringify(history).length).toBeLessThan(budget * 4 + 4_000);
    expect(sent.at(-1)).toEqual({ role: 'user', content: 'Which week was best?' });

    // Stored: the model's summary of exactly the messages left out of the request.
    const [stored] = await summaries(conversationId);
    const keptVerbatim = history.length - 1;
    expect(stored).toMatchObject({ content: MODEL_SUMMARY, covers_through_seq: MESSAGES - keptVerbatim, covered_messages: MESSAGES - keptVerbatim, written_by: 'openai:gpt-4o-mini' });
    expect(history[1]!.content).toBe(rows[MESSAGES - keptVerbatim]!.content);
    // The reply notes it, and its tokens include the summary request's.
    expect(first.notes).toEqual([{ type: 'context.summarised', runId: expect.any(String), messageId: first.reply.id, messages: MESSAGES - keptVerbatim }]);
    expect(first.reply.tokens).toBe(9040 + 7010);

    // The next run reuses the stored summary: no second summary request, same row.
    const second = await ask(conversationId, 'And the worst?');
    expect(second.run.status).toBe('completed');
    expect(fake.requests.filter(isSummaryRequest)).toHaveLength(1);
    const next: { role: string; content: string }[] = fake.requests.at(-1)!.body.messages;
    expect(next[1]!.content).toContain('SUMMARY-7Q4');
    expect(next.slice(-3)).toEqual([
      { role: 'user', content: 'Which week was best?' },
      { role: 'assistant', content: 'Week 150 was the best so far.' },
      { role: 'user', content: 'And the worst?' },
    ]);
    expect(next.slice(1, -1).reduce((n, m) => n + messageTokens(m), 0)).toBeLessThanOrEqual(budget);
    expect(await summaries(conversationId)).toEqual([stored]);
    expect(second.notes.map((n) => n.messages)).toEqual([MESSAGES - keptVerbatim]);
    expect(second.reply.tokens).toBe(7010);
  });
});

describe.each(modes)('a 300-message conversation with the offline assistant (%s)', (mode) => {
  const { state, ask, summaries } = useRuntime(mode, () => ({ LLM_PROVIDER: 'offline', OFFLINE_WORD_DELAY_MS: '0' }));

  it('writes an extractive summary that keeps the answers\' figures, once, and the replies note it; it goes with the conversation', async () => {
    const { conversationId } = await longConversation(state.rt, state.me);

    const first = await ask(conversationId, 'How were sales in the last six months?');
    expect(first.run.status).toBe('completed');
    const [stored] = await summaries(conversationId);
    expect(stored!.written_by).toBe('extractive');
    expect(stored!.covers_through_seq).toBeGreaterThan(100);
    // The newest summarised answers keep their figures verbatim; the prose around them is gone.
    const lastCovered = stored!.covers_through_seq % 2 ? stored!.covers_through_seq - 1 : stored!.covers_through_seq;
    expect(stored!.content).toContain(`- Answered: Week ${lastCovered / 2}: revenue $${(1000 + lastCovered / 2).toLocaleString('en-US')}.00 from ${lastCovered / 2 + 10} orders.`);
    expect(stored!.content).toContain(`- Asked: ${questionOf(lastCovered / 2)}`);
    expect(stored!.content).not.toContain('nothing unusual');
    expect(first.notes.map((n) => [n.messageId, n.messages])).toEqual([[first.reply.id, stored!.covered_messages]]);

    const second = await ask(conversationId, 'and for Toys?');
    expect(second.run.status).toBe('completed');
    expect(await summaries(conversationId)).toEqual([stored]);
    expect(second.notes.map((n) => n.messages)).toEqual([stored!.covered_messages]);

    // The summary goes with its conversation.
    await deleteConversation({ em: state.rt.orm.em.fork(), bus: state.rt.bus }, conversationId, { id: state.me.userId, name: 'Sam Summary', isAdmin: false });
    expect(await summaries(conversationId)).toEqual([]);
  });
});
