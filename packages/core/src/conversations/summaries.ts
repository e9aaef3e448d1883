// What an assistant run knows of its conversation: the stored summary of the earlier messages and
// every complete message after it (the worker fits them to its model's budget, docs/architecture.md).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MetricRef } from '@tandem/schema';

export interface ContextMessage {
  seq: number;
  role: 'user' | 'assistant';
  content: string;
}

/** How an alert rule's post (role 'alert') starts in the assistant's history. */
export const ALERT_POST_MARK = '[Posted into this session by Tandem alerts, not written by a member]';

/** A message's metric range with its agent's name, as the assistant is told it. */
export interface AttachedMetricRef extends MetricRef {
  agentName: string;
}

/**
 * The bracketed line added to a message with a metric range: names, ids and ISO times the model can
 * pass to query_agent_metrics unchanged (agent accepts a name or an id; from/to take date-times).
 */
export function metricRefLine(ref: AttachedMetricRef): string {
  return `[Attached chart: agent ${ref.agentName} (id ${ref.agentId}), metric ${ref.metric}, from ${new Date(ref.from).toISOString()} to ${new Date(ref.to).toISOString()}]`;
}

/** Agents are matched in the workspace only; one gone since (never renamed) is named by its id. */
const REF_AGENT_NAME = `(select a.name from agents a where a.workspace_id = ? and a.id = (m.metric_ref->>'agentId')::uuid)`;

/** The metric range attached to a message of the workspace, with its agent's name; null without one. */
export async function readMetricRef(em: EntityManager, workspaceId: string, messageId: string): Promise<AttachedMetricRef | null> {
  const [row] = await em.execute<{ metric_ref: MetricRef | null; agent_name: string | null }[]>(
    `select m.metric_ref, ${REF_AGENT_NAME} as agent_name from messages m join conversations c on c.id = m.conversation_id
      where m.id = ? and c.workspace_id = ? and m.metric_ref is not null`,
    [workspaceId, messageId, workspaceId],
  );
  return row?.metric_ref ? { ...row.metric_ref, agentName: row.agent_name ?? row.metric_ref.agentId } : null;
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
  const messages = await em.execute<(Omit<ContextMessage, 'role'> & { role: ContextMessage['role'] | 'alert'; metric_ref: MetricRef | null; agent_name: string | null })[]>(
    `select m.seq, m.role, m.content, m.metric_ref, case when m.metric_ref is null then null else ${REF_AGENT_NAME} end as agent_name
       from messages m join conversations c on c.id = m.conversation_id
      where m.conversation_id = ? and c.workspace_id = ? and m.status = 'complete' and m.seq > ? and m.seq < ?
      order by m.seq`,
    [scope.workspaceId, scope.conversationId, scope.workspaceId, summary?.coversThroughSeq ?? 0, scope.beforeSeq],
  );
  // A message about a chart range carries it as a line the model (and a summary of it) keeps.
  const withRef = (m: (typeof messages)[number]) =>
    m.metric_ref ? `${m.content}\n${metricRefLine({ ...m.metric_ref, agentName: m.agent_name ?? m.metric_ref.agentId })}` : m.content;
  // An alert rule's post is context, not a member's words: the models take it in the user's turn
  // (no third role in their APIs), marked for what it is.
  return {
    summary,
    messages: messages.map((m) => (m.role === 'alert'
      ? { seq: Number(m.seq), role: 'user', content: `${ALERT_POST_MARK} ${withRef(m)}` }
      : { seq: Number(m.seq), role: m.role, content: withRef(m) })),
  };
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
