// Alert posts: a rule that names a session posts each fired/resolved event there as a message from
// "Tandem alerts" (role 'alert', no author, no run: no quota, no assistant reply), with the window
// that crossed as its metricRef. Written in the alert event's own transaction, so exactly one post
// per event, and through the conversation's event log, so live viewers, resume and replay see it.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AlertEvent, MetricName, MetricRef } from '@tandem/schema';
import { Message } from '../entities/conversation.ts';
import { appendEvents } from '../conversations/events.ts';
import { toMessageDtos } from '../conversations/conversations.ts';

/** The chart of a post shows at least this much before the event, whatever the rule's window. */
const MIN_CHART_SPAN_MS = 10 * 60_000;

/** What a post needs of its rule (transitions.ts AlertRule). */
interface PostingRule {
  workspaceId: string;
  conversationId: string | null;
  name: string;
  metric: MetricName;
  threshold: number;
  windowMs: number;
}

export interface SessionPost {
  conversationId: string;
  lastSeq: number;
}

/** "1,234.5": values as people read them, without a float's tail. */
const formatValue = (v: number | null) => (v === null ? 'no value' : Number(v.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 4 }));

/** The post's text: what happened, to which agent, against which threshold. */
export function alertPostText(rule: Pick<PostingRule, 'name' | 'threshold'>, e: Pick<AlertEvent, 'kind' | 'agentName' | 'value'>): string {
  if (e.kind === 'fired') return `Fired: ${rule.name} — ${e.agentName} is at ${formatValue(e.value)} (threshold ${formatValue(rule.threshold)})`;
  return e.value === null
    ? `Resolved: ${rule.name} — ${e.agentName} (the rule was deleted)`
    : `Resolved: ${rule.name} — ${e.agentName} is back at ${formatValue(e.value)} (threshold ${formatValue(rule.threshold)})`;
}

/**
 * Posts the event into the rule's session inside the caller's transaction (after the alert
 * stream's lock: rule → state → stream → conversation, never the other way). Null when the rule
 * names no session or its session is gone (deleted: the rule stops posting).
 */
export async function postAlertIntoSession(
  tx: EntityManager,
  rule: PostingRule,
  e: Pick<AlertEvent, 'kind' | 'agentId' | 'agentName' | 'value' | 'at'>,
): Promise<SessionPost | null> {
  if (!rule.conversationId) return null;
  const [c] = await tx.execute<{ last_seq: number }[]>(
    `select last_seq from conversations where id = ? and workspace_id = ? for update`, [rule.conversationId, rule.workspaceId]);
  if (!c) return null;
  const at = Date.parse(e.at);
  const metricRef: MetricRef = { agentId: e.agentId, metric: rule.metric, from: at - Math.max(rule.windowMs, MIN_CHART_SPAN_MS), to: at };
  const msg = tx.create(Message, {
    id: randomUUID(), conversationId: rule.conversationId, seq: c.last_seq + 1, role: 'alert', authorId: null,
    content: alertPostText(rule, e), status: 'complete', runId: null, clientMessageId: null, metricRef,
  });
  await tx.flush();
  const [dto] = await toMessageDtos(tx, [msg]);
  const [seq] = await appendEvents(tx, rule.conversationId, [{ type: 'message.created', message: dto! }]);
  return { conversationId: rule.conversationId, lastSeq: seq! };
}
