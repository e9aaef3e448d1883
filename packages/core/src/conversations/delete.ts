// Removing conversations for good: conversation.delete (one, by its creator or an admin) and the
// retention sweep's purge (many) remove the same rows the same way.
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit } from '../audit/audit-log.ts';
import { AppError } from '../errors.ts';
import type { Bus } from '../bus/bus.ts';
import { ephemeralChannel } from './events.ts';

/** Deletes the conversations with their events, messages and runs (tool effects go with the runs). */
export async function deleteConversationRows(tx: EntityManager, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const list = `{${ids.join(',')}}`; // a PostgreSQL uuid[] literal: one parameter, whatever the batch size
  for (const table of ['conversation_events', 'messages', 'runs'])
    await tx.execute(`delete from ${table} where conversation_id = any(?::uuid[])`, [list]);
  await tx.execute(`delete from conversations where id = any(?::uuid[])`, [list]);
}

/**
 * conversation.delete: its creator or an admin removes it for everyone. Audited with its title
 * (the audit log outlives it); everyone viewing it is told at once and sent back to the list.
 */
export async function deleteConversation(
  deps: { em: EntityManager; bus: Bus },
  conversationId: string,
  actor: { id: string; name: string; isAdmin: boolean },
): Promise<{ deleted: true }> {
  await deps.em.transactional(async (tx) => {
    const [c] = await tx.execute<{ workspace_id: string; title: string; created_by: string }[]>(
      'select workspace_id, title, created_by from conversations where id = ? for update', [conversationId]);
    if (!c) throw new AppError('NOT_FOUND', 'Conversation not found');
    if (c.created_by !== actor.id && !actor.isAdmin)
      throw new AppError('FORBIDDEN', 'Only whoever started this conversation or an admin can delete it');
    await deleteConversationRows(tx, [conversationId]);
    recordAudit(tx, { workspaceId: c.workspace_id, actorId: actor.id, action: 'conversation.deleted', targetId: conversationId, data: { title: c.title } });
  });
  await deps.bus.publish(ephemeralChannel(conversationId), { type: 'deleted', by: { id: actor.id, name: actor.name } });
  return { deleted: true };
}
