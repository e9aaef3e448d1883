// What an assistant run knows of its conversation: the stored summary of the earlier messages and
// every complete message after it (the worker fits them to its model's budget, docs/architecture.md).
import type { EntityManager } from '@mikro-orm/postgresql';

export interface ContextMessage {
  seq: number;
  role: 'user' | 'assistant';
  content: string;
}

export interface StoredSummary {
  content: string;
  /** It covers the complete messages with seq up to this one. */
  coversThroughSeq: number;
  coveredMessages: number;
  tokens: number;
  writtenBy: string;
}

export interface RunContext {
  summary: StoredSummary | null;
  /** Complete messages after the summary and before the question, oldest first. */
  messages: ContextMessage[];
}

/**
 * The summary and the complete messages after it, before `beforeSeq` (the question). Unfinished
 * replies (failed, cancelled, timed out) are left out as before; nothing else is.
 */
export async function readRunContext(
  em: EntityManager,
  scope: { workspaceId: string; conversationId: string; beforeSeq: number },
): Promise<RunContext> {
  const [row] = await em.execute<{ content: string; covers_through_seq: number; covered_messages: number; tokens: number; written_by: string }[]>(
    `select content, covers_through_seq, covered_messages, tokens, written_by from conversation_summaries
      where conversation_id = ? and workspace_id = ?`,
    [scope.conversationId, scope.workspaceId],
  );
  const summary = row
    ? { content: row.content, coversThroughSeq: row.covers_through_seq, coveredMessages: row.covered_messages, tokens: row.tokens, writtenBy: row.written_by }
    : null;
  const messages = await em.execute<ContextMessage[]>(
    `select m.seq, m.role, m.content from messages m join conversations c on c.id = m.conversation_id
      where m.conversation_id = ? and c.workspace_id = ? and m.status = 'complete' and m.seq > ? and m.seq < ?
      order by m.seq`,
    [scope.conversationId, scope.workspaceId, summary?.coversThroughSeq ?? 0, scope.beforeSeq],
  );
  return { summary, messages: messages.map((m) => ({ seq: Number(m.seq), role: m.role, content: m.content })) };
}

/**
 * Stores a summary that covers more than the stored one (a retried or duplicate run that
 * summarised the same messages again writes nothing). False when nothing was written: an equal
 * or newer summary is there already, or the conversation is gone or in another workspace.
 */
export async function storeSummary(
  em: EntityManager,
  scope: { workspaceId: string; conversationId: string },
  summary: StoredSummary,
): Promise<boolean> {
  const rows = await em.execute<{ conversation_id: string }[]>(
    `insert into conversation_summaries (conversation_id, workspace_id, content, covers_through_seq, covered_messages, tokens, written_by)
     select id, workspace_id, ?, ?, ?, ?, ? from conversations where id = ? and workspace_id = ?
     on conflict (conversation_id) do update set content = excluded.content, covers_through_seq = excluded.covers_through_seq,
       covered_messages = excluded.covered_messages, tokens = excluded.tokens, written_by = excluded.written_by, updated_at = now()
       where conversation_summaries.covers_through_seq < excluded.covers_through_seq
     returning conversation_id`,
    [summary.content, summary.coversThroughSeq, summary.coveredMessages, summary.tokens, summary.writtenBy.slice(0, 100), scope.conversationId, scope.workspaceId],
  );
  return rows.length > 0;
}
