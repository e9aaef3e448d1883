// Fired/resolved transitions of one rule × agent, with hysteresis, each in one transaction under
// the alert_states row lock: evaluators racing on the same rule and agent make one event, not two.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Aggregate, AlertEvent, MetricName } from '@tandem/schema';
import { appendAlertEvent } from './event-log.ts';
import { windowValues } from './window-value.ts';
import { postAlertIntoSession, type SessionPost } from './session-post.ts';

export type AlertOp = '>' | '>=' | '<' | '<=';

export interface AlertRule {
  id: string;
  workspaceId: string;
  agentId: string | null;
  name: string;
  metric: MetricName;
  agg: Aggregate;
  op: AlertOp;
  threshold: number;
  windowMs: number;
  webhookUrl: string | null;
  /** The session fired/resolved are posted into (session-post.ts). */
  conversationId: string | null;
}

/** A firing rule resolves only once the value is back past the threshold by this share of it. */
export const RESOLVE_MARGIN = 0.1;

const holds = (value: number, op: AlertOp, threshold: number) =>
  op === '>' ? value > threshold : op === '>=' ? value >= threshold : op === '<' ? value < threshold : value <= threshold;

/**
 * Whether the rule fires after seeing `value`. Hysteresis: "p95 latency > 800" fires above 800
 * and resolves at 720 or below, so a value hovering around the threshold does not flap.
 * No value (an empty window) changes nothing.
 */
export function nextFiring(firing: boolean, value: number | null, rule: Pick<AlertRule, 'op' | 'threshold'>): boolean {
  if (value === null) return firing;
  if (!firing) return holds(value, rule.op, rule.threshold);
  const margin = Math.abs(rule.threshold) * RESOLVE_MARGIN;
  const relaxed = rule.op === '>' || rule.op === '>=' ? rule.threshold - margin : rule.threshold + margin;
  return holds(value, rule.op, relaxed);
}

/** `post`: the session message written with the event, whose viewers are woken after the commit. */
export type StoredAlertEvent = AlertEvent & { workspaceId: string; hasWebhook: boolean; post: SessionPost | null };

/**
 * Applies the transition the rule's value for one agent causes at `at`, if any. The value is read
 * under the state row lock, so evaluators racing on one rule and agent (the periodic pass, and
 * on-arrival evaluation on every server that committed a sample) decide in turn, each on the
 * samples committed before it: one event per crossing, and never an older value applied after a
 * newer one. Returns the event written, or null.
 */
export async function applyTransition(em: EntityManager, rule: AlertRule, agentId: string, at: Date): Promise<StoredAlertEvent | null> {
  return em.transactional(async (tx) => {
    // Lock order rule → state → stream, the same as deleteAlertRule: no deadlock between them.
    const [live] = await tx.execute(`select 1 from alert_rules where id = ? and deleted_at is null for share`, [rule.id]);
    if (!live) return null;
    await tx.execute(
      `insert into alert_states (rule_id, agent_id, firing, value, changed_at) values (?, ?, false, null, ?) on conflict do nothing`,
      [rule.id, agentId, at],
    );
    const [state] = await tx.execute<{ firing: boolean }[]>(
      `select firing from alert_states where rule_id = ? and agent_id = ? for update`, [rule.id, agentId]);
    const [current] = await windowValues(tx, { ...rule, agentId }, at);
    if (!current) return null; // the agent is gone or not in the rule's workspace
    const firing = nextFiring(state!.firing, current.value, rule);
    if (firing === state!.firing) return null;
    await tx.execute(`update alert_states set firing = ?, value = ?, changed_at = ? where rule_id = ? and agent_id = ?`,
      [firing, current.value, at, rule.id, agentId]);
    return writeEvent(tx, rule, current, firing ? 'fired' : 'resolved', current.value, at);
  });
}

/** Resolves everything a rule being deleted fires for (inside deleteAlertRule's transaction). */
export async function resolveOnDelete(tx: EntityManager, rule: AlertRule, at: Date): Promise<StoredAlertEvent[]> {
  const states = await tx.execute<{ agent_id: string; agent_name: string }[]>(
    `select st.agent_id, a.name as agent_name from alert_states st join agents a on a.id = st.agent_id
      where st.rule_id = ? and st.firing order by st.agent_id for update of st`,
    [rule.id],
  );
  const events: StoredAlertEvent[] = [];
  for (const s of states) {
    await tx.execute(`update alert_states set firing = false, value = null, changed_at = ? where rule_id = ? and agent_id = ?`, [at, rule.id, s.agent_id]);
    events.push(await writeEvent(tx, rule, { agentId: s.agent_id, agentName: s.agent_name }, 'resolved', null, at));
  }
  return events;
}

async function writeEvent(
  tx: EntityManager,
  rule: AlertRule,
  agent: { agentId: string; agentName: string },
  kind: AlertEvent['kind'],
  value: number | null,
  at: Date,
): Promise<StoredAlertEvent> {
  const event = {
    workspaceId: rule.workspaceId, hasWebhook: rule.webhookUrl !== null,
    ruleId: rule.id, ruleName: rule.name, agentId: agent.agentId, agentName: agent.agentName,
    kind, value, threshold: rule.threshold, at: at.toISOString(),
  };
  const seq = await appendAlertEvent(tx, event);
  return { ...event, seq, post: await postAlertIntoSession(tx, rule, event) };
}
