// The conversation event log: gapless sequence numbers allocated under the conversation's row
// lock, rows as the record, and a bus message after commit that only wakes subscribers.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ConversationEvent } from '@tandem/schema';
import type { Bus } from '../bus/bus.ts';

export const conversationChannel = (conversationId: string) => `conv:${conversationId}`;
export const ephemeralChannel = (conversationId: string) => `conv:${conversationId}:ephemeral`;

export interface StoredEvent {
  seq: number;
  event: ConversationEvent;
}

/**
 * Appends events inside the caller's transaction. The `update … returning` takes the
 * conversation row lock, so concurrent appenders serialise and sequences have no gaps.
 */
export async function appendEvents(tx: EntityManager, conversationId: string, events: ConversationEvent[]): Promise<number[]> {
  if (!events.length) return [];
  const [row] = await tx.execute<{ last_seq: number }[]>(
    `update conversations set last_seq = last_seq + ?, last_activity_at = now() where id = ? returning last_seq`,
    [events.length, conversationId],
  );
  if (!row) throw new Error(`conversation ${conversationId} does not exist`);
  const first = row.last_seq - events.length + 1;
  const seqs = events.map((_, i) => first + i);
  // One statement for the batch; a JSON array parameter, since the query builder expands JS arrays.
  await tx.execute(
    `insert into conversation_events (conversation_id, seq, type, payload, created_at)
     select ?, (e->>'seq')::int, e->'event'->>'type', e->'event', now() from jsonb_array_elements(?::jsonb) as e`,
    [conversationId, JSON.stringify(events.map((event, i) => ({ seq: seqs[i], event })))],
  );
  return seqs;
}

/** Wakes every subscriber of the conversation on every server instance (after commit). */
export async function wakeSubscribers(bus: Bus, conversationId: string, lastSeq: number): Promise<void> {
  await bus.publish(conversationChannel(conversationId), { lastSeq });
}

export async function readEvents(em: EntityManager, conversationId: string, afterSeq: number, limit = 500): Promise<StoredEvent[]> {
  const rows = await em.execute<{ seq: number; payload: ConversationEvent }[]>(
    `select seq, payload from conversation_events where conversation_id = ? and seq > ? order by seq limit ?`,
    [conversationId, afterSeq, limit],
  );
  return rows.map((r) => ({ seq: r.seq, event: r.payload }));
}

/** The conversation's current last sequence number and the oldest one still stored. */
export async function sequenceBounds(em: EntityManager, conversationId: string): Promise<{ lastSeq: number; oldestSeq: number | null }> {
  const [row] = await em.execute<{ last_seq: number; oldest: number | null }[]>(
    `select c.last_seq, (select min(seq) from conversation_events e where e.conversation_id = c.id) as oldest
     from conversations c where c.id = ?`,
    [conversationId],
  );
  return { lastSeq: row?.last_seq ?? 0, oldestSeq: row?.oldest ?? null };
}
