// The worker's side of an assistant run: every state change is one transaction that checks the
// run's status under its row lock (docs/reliability.md §1, §2).
import { randomUUID } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { ConversationEvent, RunStatus } from '@tandem/schema';
import { Message, Run, type IRun } from '../entities/conversation.ts';
import type { Bus } from '../bus/bus.ts';
import { appendEvents, wakeSubscribers } from './events.ts';
import { toMessageDtos } from './conversations.ts';
import { recordAssistantRun } from './assistant-metrics.ts';
import { announceJobChange } from '../jobs/jobs-dashboard.ts';
import { readMetricRef, readRunContext, type AttachedMetricRef, type RunContext } from './summaries.ts';

export interface RunDeps {
  em: EntityManager;
  bus: Bus;
}

export type StartedRun =
  | { state: 'gone' }
  | { state: 'wait'; blockedBy: string }
  | { state: 'started'; run: IRun; replyMessageId: string; question: string; metricRef: AttachedMetricRef | null; context: RunContext };

// Checking the status under the row lock is what makes a cancelled run stop writing and a retried
// run never finish twice; partial text is flushed as sequenced `message.delta` events. Each start
// of a run is a new attempt; writes carry the attempt they belong to, and an older attempt (a
// worker that lost its job lock but still runs) is refused.
function lockRun(tx: EntityManager, runId: string): Promise<IRun | null> {
  // One `select … for update`; refreshed, since the caller's fork may have read the row before the lock.
  return tx.findOne(Run, { id: runId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

async function commitEvents(deps: RunDeps, conversationId: string, work: (tx: EntityManager) => Promise<ConversationEvent[] | null>) {
  const seq = await deps.em.fork().transactional(async (tx) => {
    const events = await work(tx);
    if (!events) return null;
    const seqs = await appendEvents(tx, conversationId, events);
    return seqs[seqs.length - 1] ?? null;
  });
  if (seq) await wakeSubscribers(deps.bus, conversationId, seq);
  return seq;
}

/**
 * Claims a run: queued → running with a reply message; a retried running run restarts its reply.
 * A started run comes with its conversation's stored summary and every complete message after it.
 */
export async function startRun(deps: RunDeps, runId: string): Promise<StartedRun> {
  // Assigned inside the transaction's callback (`as`: so TypeScript does not narrow it to 'gone').
  let result = { state: 'gone' } as StartedRun | { state: 'claimed'; run: IRun; replyMessageId: string; question: string; questionSeq: number };
  const probe = await deps.em.fork().findOne(Run, { id: runId });
  if (!probe) return { state: 'gone' };
  await commitEvents(deps, probe.conversationId, async (tx) => {
    const run = await lockRun(tx, runId);
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return null;
    // Questions run one at a time per conversation, in send order.
    const [earlier] = await tx.execute<{ id: string }[]>(
      `select id from runs where conversation_id = ? and status in ('queued', 'running') and created_at < ? and id <> ? order by created_at limit 1`,
      [run.conversationId, run.createdAt, run.id],
    );
    if (earlier) {
      result = { state: 'wait', blockedBy: earlier.id };
      return null;
    }
    const events: ConversationEvent[] = [];
    run.attempt += 1;
    let replyId = run.replyMessageId;
    if (!replyId) {
      replyId = randomUUID();
      const [{ last_seq }] = (await tx.execute<{ last_seq: number }[]>(
        `select last_seq from conversations where id = ? for update`, [run.conversationId],
      )) as [{ last_seq: number }];
      const reply = tx.create(Message, {
        id: replyId, conversationId: run.conversationId, seq: last_seq + 1, role: 'assistant',
        authorId: null, content: '', status: 'streaming', runId: run.id,
      });
      run.replyMessageId = replyId;
      run.status = 'running';
      await tx.flush();
      events.push({ type: 'message.created', message: (await toMessageDtos(tx, [reply]))[0]! });
      events.push({ type: 'run.status', runId: run.id, status: 'running', questionMessageId: run.questionMessageId });
    } else {
      // A retry after a crash: start the reply over, so viewers never see text twice.
      await tx.execute(`update messages set content = '' where id = ?`, [replyId]);
      await tx.flush();
      events.push({ type: 'message.delta', messageId: replyId, text: '', replace: true });
    }
    const question = await tx.findOneOrFail(Message, { id: run.questionMessageId });
    result = { state: 'claimed', run, replyMessageId: replyId, question: question.content, questionSeq: question.seq };
    return events;
  });
  if (result.state !== 'claimed') return result;
  // Read after the commit, so the run and conversation locks are not held while a long history loads.
  const { run, replyMessageId, question, questionSeq } = result;
  const context = await readRunContext(deps.em.fork(), { workspaceId: run.workspaceId, conversationId: run.conversationId, beforeSeq: questionSeq });
  const metricRef = await readMetricRef(deps.em.fork(), run.workspaceId, run.questionMessageId);
  return { state: 'started', run, replyMessageId, question, metricRef, context };
}

/**
 * Appends text and tool events while the run is still running this attempt; false once it is not
 * (cancelled, finished, or restarted by another worker).
 */
export async function appendRunOutput(deps: RunDeps, run: IRun, replyMessageId: string, text: string, extra: ConversationEvent[] = []): Promise<boolean> {
  let running = false;
  await commitEvents(deps, run.conversationId, async (tx) => {
    const [row] = await tx.execute<{ status: string; attempt: number }[]>(`select status, attempt from runs where id = ? for update`, [run.id]);
    if (row?.status !== 'running' || row.attempt !== run.attempt) return null;
    running = true;
    const events: ConversationEvent[] = [...extra];
    if (text) {
      await tx.execute(`update messages set content = content || ? where id = ?`, [text, replyMessageId]);
      events.push({ type: 'message.delta', messageId: replyMessageId, text });
    }
    return events;
  });
  return running;
}

export interface RunOutcome {
  status: Extract<RunStatus, 'completed' | 'failed' | 'timeout' | 'cancelled'>;
  reason?: string;
  tokens?: number | null;
  costUsd?: number | null;
  latencyMs?: number | null;
  /** The worker's provider: the run is also a sample of the workspace's `tandem-assistant` agent. */
  reportAs?: { model: string };
}

const messageStatusOf = { completed: 'complete', failed: 'error', timeout: 'timeout', cancelled: 'cancelled' } as const;

/**
 * Finalises a run exactly once: only a run still queued or running changes, so a second
 * finaliser (a retried job, a cancel racing completion) writes nothing. A worker passes the
 * attempt it runs (`fence`), so it cannot finalise a run another worker has restarted since.
 * Returns whether it did.
 */
export async function finishRun(deps: RunDeps, runId: string, outcome: RunOutcome, fence?: { attempt: number }): Promise<boolean> {
  const probe = await deps.em.fork().findOne(Run, { id: runId });
  if (!probe) return false;
  const seq = await commitEvents(deps, probe.conversationId, async (tx) => {
    const run = await lockRun(tx, runId);
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return null;
    if (fence && run.attempt !== fence.attempt) return null;
    run.status = outcome.status;
    run.reason = outcome.reason?.slice(0, 500) ?? null;
    run.finishedAt = new Date();
    const events: ConversationEvent[] = [];
    if (run.replyMessageId) {
      const reply = await tx.findOneOrFail(Message, { id: run.replyMessageId });
      reply.status = messageStatusOf[outcome.status];
      reply.tokens = outcome.tokens ?? null;
      reply.costUsd = outcome.costUsd ?? null;
      reply.latencyMs = outcome.latencyMs ?? null;
      events.push({
        type: 'message.completed', messageId: reply.id, content: reply.content, status: reply.status,
        tokens: reply.tokens ?? null, costUsd: reply.costUsd ?? null, latencyMs: reply.latencyMs ?? null,
      });
    }
    await tx.flush();
    if (outcome.reportAs && outcome.status !== 'cancelled')
      await recordAssistantRun(tx, {
        workspaceId: run.workspaceId, model: outcome.reportAs.model, latencyMs: outcome.latencyMs ?? 0,
        tokens: outcome.tokens ?? null, costUsd: outcome.costUsd ?? null, failed: outcome.status !== 'completed',
      });
    events.push({ type: 'run.status', runId, status: outcome.status, questionMessageId: run.questionMessageId, ...(outcome.reason ? { reason: outcome.reason } : {}) });
    return events;
  });
  // A failed run is listed on the workspace's Jobs page (jobs.list): refresh it for its admins.
  if (seq !== null && (outcome.status === 'failed' || outcome.status === 'timeout'))
    await announceJobChange(deps.bus, probe.workspaceId, 'run').catch(() => undefined);
  return seq !== null;
}
