// The assistant's own runs on its agent's charts (issue 13): each finished run of the workspace is a
// sample of `tandem-assistant` written when it finished, and a marker there links back to the turn.
import type { EntityManager } from '@mikro-orm/postgresql';
import { RUN_MARKERS_MAX, type RunMarker, type RunMarkersInput } from '@tandem/schema';
import { ASSISTANT_AGENT } from '../conversations/assistant-metrics.ts';
import { findAgent } from './agents.ts';

/** How much of the question a marker's title quotes. */
const QUESTION_CHARS = 80;

/**
 * Runs of the workspace finished in [from, to], newest RUN_MARKERS_MAX, oldest first. Another
 * workspace's agent is NOT_FOUND; an agent other than the assistant has no runs (an empty list).
 * Conversations archived by retention are left out, as from every list.
 */
export async function runMarkers(em: EntityManager, workspaceId: string, input: Pick<RunMarkersInput, 'agentId' | 'from' | 'to'>): Promise<RunMarker[]> {
  const agent = await findAgent(em, workspaceId, input.agentId);
  if (agent.name !== ASSISTANT_AGENT || agent.id !== input.agentId) return [];
  const rows = await em.execute<{ at: Date; conversation_id: string; message_id: string; conversation: string; question: string }[]>(
    `select r.finished_at as at, r.conversation_id, r.question_message_id as message_id, c.title as conversation, left(m.content, ?) as question
       from runs r
       join conversations c on c.id = r.conversation_id and c.workspace_id = r.workspace_id
       join messages m on m.id = r.question_message_id
      where r.workspace_id = ? and r.finished_at >= ? and r.finished_at <= ? and c.retention_archived_at is null
      order by r.finished_at desc limit ?`,
    [QUESTION_CHARS + 1, workspaceId, new Date(input.from), new Date(input.to), RUN_MARKERS_MAX],
  );
  return rows.reverse().map((r) => {
    const question = r.question.length > QUESTION_CHARS ? `${r.question.slice(0, QUESTION_CHARS - 1)}…` : r.question;
    return { at: new Date(r.at).getTime(), conversationId: r.conversation_id, messageId: r.message_id, title: `${r.conversation}: ${question}` };
  });
}
