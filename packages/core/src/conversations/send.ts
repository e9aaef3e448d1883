// conversation.send: persist the question (idempotent on clientMessageId), count the user's
// hourly quota in the same transaction, create the run and enqueue exactly one job for it.
import { randomUUID } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { MessageDto } from '@tandem/schema';
import { Conversation, Message, Run } from '../entities/conversation.ts';
import { AppError } from '../errors.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Bus } from '../bus/bus.ts';
import type { Queues } from '../queue/queues.ts';
import { appendEvents, wakeSubscribers } from './events.ts';
import { assertActive, toMessageDtos } from './conversations.ts';

export interface SendDeps {
  em: EntityManager;
  bus: Bus;
  queues: Queues;
  ratePerHour: number;
}

export const runJobId = (runId: string) => `run-${runId}`;

export async function sendMessage(
  deps: SendDeps,
  input: { conversationId: string; content: string; clientMessageId: string; userId: string },
): Promise<{ message: MessageDto; runId: string }> {
  const { em } = deps;
  const existing = await em.findOne(Message, { conversationId: input.conversationId, clientMessageId: input.clientMessageId });
  if (existing) {
    // A resend (retry, reconnect, double click): same message, no new job, no quota spent.
    // The job is added again with the same id, which BullMQ ignores if it exists.
    await deps.queues.add('assistant.run', { runId: existing.runId! }, { jobId: runJobId(existing.runId!) });
    return { message: (await toMessageDtos(em, [existing]))[0]!, runId: existing.runId! };
  }

  const { message, runId, lastSeq } = await em.transactional(async (tx) => {
    // One user's sends serialise on this lock, so the quota count below is exact across instances.
    await tx.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`quota:${input.userId}`]);
    const dup = await tx.findOne(Message, { conversationId: input.conversationId, clientMessageId: input.clientMessageId });
    if (dup) return { message: (await toMessageDtos(tx, [dup]))[0]!, runId: dup.runId!, lastSeq: 0 };
    const [{ used }] = (await tx.execute<{ used: string }[]>(
      `select count(*) as used from runs where created_by = ? and created_at > now() - interval '1 hour'`,
      [input.userId],
    )) as [{ used: string }];
    if (Number(used) >= deps.ratePerHour) {
      const [{ oldest }] = (await tx.execute<{ oldest: Date }[]>(
        `select min(created_at) as oldest from runs where created_by = ? and created_at > now() - interval '1 hour'`,
        [input.userId],
      )) as [{ oldest: Date }];
      const retryAfterMs = Math.max(1000, new Date(oldest).getTime() + 3600_000 - Date.now());
      throw new AppError('TOO_MANY_REQUESTS', `You have asked ${deps.ratePerHour} questions this hour; try again later`, { retryAfterMs });
    }
    // The row lock makes lastSeq + 1 below the sequence number appendEvents will allocate.
    const conversation = await tx.findOneOrFail(Conversation, { id: input.conversationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    assertActive(conversation);
    const msg = tx.create(Message, {
      id: randomUUID(), conversationId: input.conversationId, role: 'user', authorId: input.userId,
      content: input.content, status: 'complete', clientMessageId: input.clientMessageId, seq: conversation.lastSeq + 1,
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
