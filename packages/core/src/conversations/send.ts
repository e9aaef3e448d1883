// conversation.send: persist the question (idempotent on clientMessageId), count the user's
// hourly quota in the same transaction, create the run and enqueue exactly one job for it.
import { randomUUID } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { MessageDto, MetricRef } from '@tandem/schema';
import { Conversation, Message, Run } from '../entities/conversation.ts';
import { assertWithinBudget, hourlyUse } from './assistant-usage.ts';
import { AppError } from '../errors.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Bus } from '../bus/bus.ts';
import type { Queues } from '../queue/queues.ts';
import { appendEvents, wakeSubscribers } from './events.ts';
import { assertActive, toMessageDtos } from './conversations.ts';
import { agentsOfWorkspace } from '../agents/agents.ts';

export interface SendDeps {
  em: EntityManager;
  bus: Bus;
  queues: Queues;
  /** Questions per user per hour (ASSISTANT_RATE_LIMIT_PER_HOUR). */
  ratePerHour: number;
  /** Questions per workspace per hour, over all its members (ASSISTANT_WORKSPACE_LIMIT_PER_HOUR). */
  workspacePerHour?: number;
  /** Questions per hour over the whole deployment: the provider spend ceiling (ASSISTANT_MAX_RUNS_PER_HOUR). */
  deploymentPerHour?: number;
}

export const runJobId = (runId: string) => `run-${runId}`;

/** Holds `lock` until the transaction ends: counts under it are exact across instances. */
const takeLock = (tx: EntityManager, lock: string) => tx.execute(`select pg_advisory_xact_lock(hashtext(?))`, [lock]);

/**
 * Takes `lock` for the transaction (null: the caller holds it) and counts the runs of the last hour
 * matching `where`; TOO_MANY_REQUESTS at `limit`, saying which limit it is and when the oldest
 * counted run leaves the hour.
 */
async function assertHourlyRoom(tx: EntityManager, lock: string | null, where: string, params: unknown[], limit: number, what: (n: number) => string): Promise<void> {
  if (lock) await takeLock(tx, lock);
  const { used, resetAt } = await hourlyUse(tx, where, params);
  if (used < limit) return;
  const resetsAt = resetAt!;
  const retryAfterMs = Math.max(1000, resetsAt.getTime() - Date.now());
  throw new AppError('TOO_MANY_REQUESTS',
    `${what(limit)}; try again in ${Math.ceil(retryAfterMs / 60_000)} min (at ${resetsAt.toISOString().slice(11, 16)} UTC)`, { retryAfterMs });
}

export async function sendMessage(
  deps: SendDeps,
  input: { conversationId: string; content: string; clientMessageId: string; userId: string; workspaceId: string; metricRef?: MetricRef },
): Promise<{ message: MessageDto; runId: string }> {
  const { em } = deps;
  const existing = await em.findOne(Message, { conversationId: input.conversationId, clientMessageId: input.clientMessageId });
  if (existing) {
    // A resend (retry, reconnect, double click): same message, no new job, no quota spent.
    // The job is added again with the same id, which BullMQ ignores if it exists.
    await deps.queues.add('assistant.run', { runId: existing.runId! }, { jobId: runJobId(existing.runId!) });
    return { message: (await toMessageDtos(em, [existing]))[0]!, runId: existing.runId! };
  }

  // An attached range names an agent of this workspace; another workspace's is NOT_FOUND, like any of its rows.
  if (input.metricRef) await agentsOfWorkspace(em, input.workspaceId, [input.metricRef.agentId]);

  const { message, runId, lastSeq } = await em.transactional(async (tx) => {
    // One user's sends serialise on this lock, so a resend sees the first and the quota count is exact.
    await takeLock(tx, `quota:${input.userId}`);
    const dup = await tx.findOne(Message, { conversationId: input.conversationId, clientMessageId: input.clientMessageId });
    if (dup) return { message: (await toMessageDtos(tx, [dup]))[0]!, runId: dup.runId!, lastSeq: 0 };
    // Narrowest first, each under its own lock taken in this order, so every count is exact across
    // instances and a user over their own quota never waits on the workspace's or deployment's lock.
    await assertHourlyRoom(tx, null, 'created_by = ?', [input.userId], deps.ratePerHour,
      (n) => `You have asked ${n} questions this hour (ASSISTANT_RATE_LIMIT_PER_HOUR)`);
    if (deps.workspacePerHour !== undefined)
      await assertHourlyRoom(tx, `quota:workspace:${input.workspaceId}`, 'workspace_id = ?', [input.workspaceId], deps.workspacePerHour,
        (n) => `This workspace has asked ${n} questions this hour, its limit (ASSISTANT_WORKSPACE_LIMIT_PER_HOUR)`);
    if (deps.deploymentPerHour !== undefined)
      await assertHourlyRoom(tx, 'quota:deployment', 'true', [], deps.deploymentPerHour,
        (n) => `The assistant has answered ${n} questions this hour across this deployment, its limit (ASSISTANT_MAX_RUNS_PER_HOUR)`);
    // The row lock makes lastSeq + 1 below the sequence number appendEvents will allocate.
    // Scoped to the workspace the caller was authorised in (the procedure resolved it from the conversation).
    const conversation = await tx.findOneOrFail(Conversation, { id: input.conversationId, workspaceId: input.workspaceId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    assertActive(conversation);
    await assertWithinBudget(tx, conversation.workspaceId);
    const msg = tx.create(Message, {
      id: randomUUID(), conversationId: input.conversationId, role: 'user', authorId: input.userId,
      content: input.content, status: 'complete', clientMessageId: input.clientMessageId, seq: conversation.lastSeq + 1,
      metricRef: input.metricRef ? { agentId: input.metricRef.agentId, metric: input.metricRef.metric, from: input.metricRef.from, to: input.metricRef.to } : null,
    });
    const r = tx.create(Run, {
      id: randomUUID(), conversationId: input.conversationId, workspaceId: conversation.workspaceId,
      questionMessageId: msg.id, createdBy: input.userId, status: 'queued',
    });
    msg.runId = r.id;
    // Who asked in which conversation; the question's text stays in the conversation only.
    recordAudit(tx, { workspaceId: conversation.workspaceId, actorId: input.userId, action: 'assistant.question', targetId: input.conversationId, data: { runId: r.id } });
    await tx.flush();
    const [dto] = await toMessageDtos(tx, [msg]);
    const seqs = await appendEvents(tx, input.conversationId, [
      { type: 'message.created', message: dto! },
      { type: 'run.status', runId: r.id, status: 'queued', questionMessageId: msg.id },
    ]);
    return { message: dto!, runId: r.id, lastSeq: seqs[seqs.length - 1]! };
  });

  await deps.queues.add('assistant.run', { runId }, { jobId: runJobId(runId) });
  if (lastSeq) await wakeSubscribers(deps.bus, input.conversationId, lastSeq);
  return { message, runId };
}
