// Conversations: create, list, open, rename, archive. Callers pass an already-authorised
// workspace id; procedures reach a conversation only through workspaces/access.ts.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MessageDto } from '@tandem/schema';
import { Conversation, Message, type IConversation, type IMessage } from '../entities/conversation.ts';
import { User } from '../entities/user.ts';
import { AppError } from '../errors.ts';
import type { Bus } from '../bus/bus.ts';
import { appendEvents, wakeSubscribers } from './events.ts';
import { recordAudit } from '../audit/audit-log.ts';

export const toConversationDto = (c: IConversation) => ({
  id: c.id,
  workspaceId: c.workspaceId,
  createdBy: c.createdBy,
  title: c.title,
  lastSeq: c.lastSeq,
  lastActivityAt: c.lastActivityAt.toISOString(),
  archived: c.archivedAt != null,
  createdAt: c.createdAt.toISOString(),
});
export type ConversationDto = ReturnType<typeof toConversationDto>;

export async function toMessageDtos(em: EntityManager, messages: IMessage[]): Promise<MessageDto[]> {
  const authorIds = [...new Set(messages.map((m) => m.authorId).filter((id): id is string => !!id))];
  const users = authorIds.length ? await em.find(User, { id: { $in: authorIds } }) : [];
  const names = new Map(users.map((u) => [u.id, u.name]));
  return messages.map((m) => ({
    id: m.id, conversationId: m.conversationId, seq: m.seq, role: m.role,
    author: m.authorId ? { id: m.authorId, name: names.get(m.authorId) ?? 'deleted user' } : null,
    content: m.content, status: m.status, runId: m.runId ?? null, tokens: m.tokens ?? null,
    costUsd: m.costUsd == null ? null : Number(m.costUsd), latencyMs: m.latencyMs ?? null,
    metricRef: m.metricRef ?? null, createdAt: m.createdAt.toISOString(),
  }));
}

export async function createConversation(em: EntityManager, workspaceId: string, userId: string, title?: string): Promise<ConversationDto> {
  const c = em.create(Conversation, { workspaceId, createdBy: userId, title: title ?? 'New analysis' });
  await em.flush();
  return toConversationDto(c);
}

/** Newest activity first; the cursor is `lastActivityAt|id` of the last row of the previous page. */
export async function listConversations(em: EntityManager, workspaceId: string, opts: { archived: boolean; cursor?: string; limit: number }) {
  // Conversations archived by retention are in no list: retention.report names them until purged.
  const where: Record<string, unknown> = { workspaceId, archivedAt: opts.archived ? { $ne: null } : null, retentionArchivedAt: null };
  const [at, id] = opts.cursor?.split('|') ?? [];
  if (at && id && !Number.isNaN(Date.parse(at)))
    where.$or = [{ lastActivityAt: { $lt: new Date(at) } }, { lastActivityAt: new Date(at), id: { $lt: id } }];
  const rows = await em.find(Conversation, where, { orderBy: { lastActivityAt: 'desc', id: 'desc' }, limit: opts.limit + 1 });
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toConversationDto),
    nextCursor: rows.length > opts.limit && last ? `${last.lastActivityAt.toISOString()}|${last.id}` : null,
  };
}

/**
 * What the assistant's replies in a conversation cost so far, as of event `asOfSeq`: one statement,
 * so a reply completing meanwhile is either in the sums or after asOfSeq (clients add those events).
 */
async function conversationUsage(em: EntityManager, conversationId: string) {
  const [row] = await em.execute<{ as_of_seq: number; tokens: string | null; cost_usd: number | null }[]>(
    `select c.last_seq as as_of_seq, sum(m.tokens) as tokens, sum(m.cost_usd) as cost_usd
       from conversations c left join messages m on m.conversation_id = c.id and m.role = 'assistant'
      where c.id = ? group by c.last_seq`, [conversationId]);
  return { asOfSeq: Number(row?.as_of_seq ?? 0), tokens: Number(row?.tokens ?? 0), costUsd: Number(row?.cost_usd ?? 0) };
}

/** The conversation and its latest page of messages (or the page before `before`), oldest first. */
export async function getConversation(em: EntityManager, conversationId: string, opts: { before?: number; limit: number }) {
  const c = await em.findOneOrFail(Conversation, { id: conversationId });
  const rows = await em.find(
    Message,
    { conversationId, ...(opts.before ? { seq: { $lt: opts.before } } : {}) },
    { orderBy: { seq: 'desc' }, limit: opts.limit + 1 },
  );
  const page = rows.slice(0, opts.limit).reverse();
  return {
    conversation: toConversationDto(c),
    messages: await toMessageDtos(em, page),
    hasMore: rows.length > opts.limit,
    usage: await conversationUsage(em, conversationId),
  };
}

async function updateConversation(em: EntityManager, bus: Bus, conversationId: string, change: (c: IConversation, tx: EntityManager) => void) {
  const seq = await em.transactional(async (tx) => {
    const c = await tx.findOneOrFail(Conversation, { id: conversationId });
    change(c, tx);
    await tx.flush();
    const [s] = await appendEvents(tx, conversationId, [{ type: 'conversation.updated', title: c.title, archived: c.archivedAt != null }]);
    return s!;
  });
  await wakeSubscribers(bus, conversationId, seq);
  return toConversationDto(await em.fork().findOneOrFail(Conversation, { id: conversationId }));
}

export const renameConversation = (em: EntityManager, bus: Bus, id: string, title: string) =>
  updateConversation(em, bus, id, (c) => void (c.title = title));
export const archiveConversation = (em: EntityManager, bus: Bus, id: string) =>
  updateConversation(em, bus, id, (c) => void (c.archivedAt ??= new Date()));
/**
 * Restores a conversation; one archived by retention counts as active again from now (else the
 * next sweep would archive it again at once), and its restore is audited like the sweep was.
 */
export const restoreConversation = (em: EntityManager, bus: Bus, id: string, actorId: string) =>
  updateConversation(em, bus, id, (c, tx) => {
    if (c.retentionArchivedAt) {
      c.lastActivityAt = new Date();
      recordAudit(tx, { workspaceId: c.workspaceId, actorId, action: 'retention.restore', targetId: c.id, data: { archivedAt: c.retentionArchivedAt.toISOString() } });
    }
    c.archivedAt = null;
    c.retentionArchivedAt = null;
  });

/** Only admins bring back what retention archived (members restore what they archived themselves). */
export async function archivedByRetention(em: EntityManager, conversationId: string): Promise<boolean> {
  const c = await em.findOne(Conversation, { id: conversationId }, { fields: ['retentionArchivedAt'] });
  return c?.retentionArchivedAt != null;
}

export function assertActive(c: { archivedAt?: Date | null }): void {
  if (c.archivedAt) throw new AppError('CONFLICT', 'This conversation is archived; restore it to ask more');
}
