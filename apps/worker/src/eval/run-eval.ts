// Runs the accuracy set through the real pipeline (send → queue → worker → provider → tools →
// stored events) against freshly seeded data, and scores each turn: tool, arguments, figures.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createConversation, readEvents, registerUser, sendMessage, type Runtime } from '@tandem/core';
import { isoDay, seedDemoSales } from '@tandem/tools';
import { createAssistantProvider, makeProcessor } from '../processors.ts';
import type { AssistantProvider } from '../assistant/provider.ts';
import { EVAL_CASES, EVAL_SET_VERSION, type EvalCase, type Expectation } from './questions.ts';
import { readTruth, type Truth } from './truth.ts';

export interface TurnResult {
  caseId: string;
  topic: EvalCase['topic'];
  question: string;
  passed: boolean;
  problems: string[];
  tools: string[];
}

export interface EvalReport {
  provider: string;
  setVersion: number;
  total: number;
  passed: number;
  accuracy: number;
  byTopic: Record<string, { total: number; passed: number }>;
  turns: TurnResult[];
}

const AGENTS = ['checkout-bot', 'support-agent', 'batch-agent'];
const TURN_TIMEOUT_MS = 60_000;

/** LAST_YEAR, YEAR_BEFORE, THIS_YEAR and TOMORROW in questions and expected arguments. */
function placeholders(now: Date): (s: string) => string {
  const y = now.getUTCFullYear();
  const tomorrow = isoDay(new Date(Date.UTC(y, now.getUTCMonth(), now.getUTCDate() + 1)));
  return (s) => s.replaceAll('LAST_YEAR', String(y - 1)).replaceAll('YEAR_BEFORE', String(y - 2)).replaceAll('THIS_YEAR', String(y)).replaceAll('TOMORROW', tomorrow);
}

/** Three agents with an hour of samples each, for the agent and cost questions. */
async function seedAgents(em: EntityManager, workspaceId: string, now: Date): Promise<void> {
  for (const [i, name] of AGENTS.entries()) {
    const id = randomUUID();
    const lastSeen = i === 2 ? new Date(now.getTime() - 6 * 3_600_000) : now; // batch-agent went silent
    await em.execute(
      `insert into agents (id, workspace_id, name, model, latency_threshold_ms, error_rate_threshold, down_after_ms, last_seen_at)
       values (?, ?, ?, 'gpt-4o-mini', 800, 0.05, 120000, ?)`, [id, workspaceId, name, lastSeen.toISOString()]);
    await em.execute(
      `insert into metric_samples (workspace_id, agent_id, ts, latency_ms, tokens_in, tokens_out, cost_usd, cpu_pct, gpu_pct, memory_mb, requests, errors)
       select ?, ?, ?::timestamptz - make_interval(mins => g), 200 + 150 * ? + (g % 7) * 10, 400, 120, 0.002 * (1 + ?), 20 + ?, 5, 512, 10, (g % 13 = 0)::int
         from generate_series(0, 59) as g`,
      [workspaceId, id, lastSeen.toISOString(), i, i, i * 10]);
  }
}

function argsMatch(want: Record<string, unknown>, got: Record<string, unknown>, fill: (s: string) => string): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(want)) {
    const expected = typeof v === 'string' ? fill(v) : v;
    const actual = got[k];
    const same = typeof expected === 'string' && typeof actual === 'string' ? expected.toLowerCase() === actual.toLowerCase() : expected === actual;
    if (!same) problems.push(`argument ${k}: wanted ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
  return problems;
}

/** What one reply must show; an empty list is a pass. */
export function checkTurn(expect: Expectation, calls: { name: string; args: Record<string, unknown> }[], reply: string, truth: Truth, fill: (s: string) => string): string[] {
  if (expect.tool === null) return calls.length ? [`wanted no tool, got ${calls.map((c) => c.name).join(', ')}`] : [];
  const candidates = calls.filter((c) => c.name === expect.tool);
  if (!candidates.length) return [`wanted ${expect.tool}, got ${calls.map((c) => c.name).join(', ') || 'no tool'}`];
  const argProblems = candidates.map((c) => argsMatch(expect.args ?? {}, c.args, fill));
  const problems = argProblems.find((p) => p.length === 0) ?? argProblems[0]!;
  const text = reply.toLowerCase();
  for (const figure of expect.says?.(truth) ?? [])
    if (!text.includes(figure.toLowerCase())) problems.push(`reply does not say ${JSON.stringify(figure)}`);
  return problems;
}

async function waitForRun(rt: Runtime, runId: string): Promise<string> {
  const deadline = Date.now() + TURN_TIMEOUT_MS;
  for (;;) {
    const [run] = await rt.orm.em.fork().execute<{ status: string }[]>('select status from runs where id = ?', [runId]);
    if (run && !['queued', 'running'].includes(run.status)) return run.status;
    if (Date.now() > deadline) return 'still running';
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function runEval(rt: Runtime, opts: { provider?: AssistantProvider; cases?: EvalCase[]; now?: Date; onTurn?: (t: TurnResult) => void } = {}): Promise<EvalReport> {
  const now = opts.now ?? new Date();
  const fill = placeholders(now);
  const em = rt.orm.em.fork();
  const user = await registerUser(em, { email: `eval-${randomUUID()}@example.com`, password: randomUUID(), name: 'Eval' });
  const [{ workspace_id: workspaceId }] = (await em.execute<{ workspace_id: string }[]>('select workspace_id from memberships where user_id = ?', [user.id])) as [{ workspace_id: string }];
  await seedDemoSales(rt.orm.em.fork(), workspaceId, { months: 36, now });
  await seedAgents(rt.orm.em.fork(), workspaceId, now);
  const truth = await readTruth(rt.orm.em.fork(), workspaceId, now, AGENTS);

  const provider = opts.provider ?? createAssistantProvider(rt);
  const processor = makeProcessor(rt, provider);
  const worker = rt.queues.startWorker('assistant', processor);
  const turns: TurnResult[] = [];
  try {
    for (const c of opts.cases ?? EVAL_CASES) {
      const conversation = await createConversation(rt.orm.em.fork(), workspaceId, user.id, `eval ${c.id}`);
      let seen = conversation.lastSeq;
      for (const turn of c.turns) {
        const question = fill(turn.question);
        const { runId } = await sendMessage(
          { em: rt.orm.em.fork(), bus: rt.bus, queues: rt.queues, ratePerHour: 1_000_000, workspacePerHour: 1_000_000, deploymentPerHour: 1_000_000 },
          { conversationId: conversation.id, content: question, clientMessageId: randomUUID(), userId: user.id, workspaceId });
        const status = await waitForRun(rt, runId);
        const events = (await readEvents(rt.orm.em.fork(), conversation.id, seen, 10_000)).map((e) => e.event);
        seen += events.length;
        const calls = events.flatMap((e) => (e.type === 'tool.started' && e.runId === runId ? [{ name: e.name, args: (e.args ?? {}) as Record<string, unknown> }] : []));
        const [reply] = await rt.orm.em.fork().execute<{ content: string }[]>(
          `select m.content from messages m join runs r on r.reply_message_id = m.id where r.id = ?`, [runId]);
        const problems = status === 'completed' ? checkTurn(turn.expect, calls, reply?.content ?? '', truth, fill) : [`run ended ${status}`];
        const result: TurnResult = { caseId: c.id, topic: c.topic, question, passed: problems.length === 0, problems, tools: calls.map((x) => x.name) };
        turns.push(result);
        opts.onTurn?.(result);
      }
    }
  } finally {
    await worker.close();
  }
  const byTopic: EvalReport['byTopic'] = {};
  for (const t of turns) {
    const s = (byTopic[t.topic] ??= { total: 0, passed: 0 });
    s.total++;
    if (t.passed) s.passed++;
  }
  const passed = turns.filter((t) => t.passed).length;
  return {
    provider: provider.name, setVersion: EVAL_SET_VERSION,
    total: turns.length, passed, accuracy: turns.length ? passed / turns.length : 0, byTopic, turns,
  };
}

