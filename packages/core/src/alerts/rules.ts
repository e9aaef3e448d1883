// Alert rules: create, list with what currently fires, delete (soft, so events keep their rule).
// Callers pass an already-authorised workspace id; every statement is scoped to it.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Aggregate, MetricName, createAlertRuleInput } from '@tandem/schema';
import { AppError } from '../errors.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Bus } from '../bus/bus.ts';
import type { Queues } from '../queue/queues.ts';
import { WINDOW_RATIO_METRICS } from './window-value.ts';
import { resolveOnDelete, type AlertRule } from './transitions.ts';
import { publishAlertEvents } from './delivery.ts';
import { announceAlertRulesChanged } from './rule-changes.ts';
import { assertRoomInWorkspace } from '../workspaces/workspace-limits.ts';

export type CreateAlertRuleInput = z.output<typeof createAlertRuleInput>;

export interface AlertRuleRow {
  id: string;
  workspace_id: string;
  agent_id: string | null;
  agent_name: string | null;
  name: string;
  metric: MetricName;
  agg: Aggregate;
  op: AlertRule['op'];
  threshold: number;
  window_ms: number;
  webhook_url: string | null;
  conversation_id: string | null;
  created_at: Date;
}

export const RULE_COLUMNS = `r.id, r.workspace_id, r.agent_id, r.name, r.metric, r.agg, r.op, r.threshold, r.window_ms, r.webhook_url, r.conversation_id, r.created_at`;

export const toAlertRule = (r: Omit<AlertRuleRow, 'agent_name' | 'created_at'>): AlertRule => ({
  id: r.id, workspaceId: r.workspace_id, agentId: r.agent_id, name: r.name, metric: r.metric, agg: r.agg,
  op: r.op, threshold: r.threshold, windowMs: r.window_ms, webhookUrl: r.webhook_url, conversationId: r.conversation_id,
});

/** "5m", "90s", "1h30m": how people write windows. */
export function formatWindow(ms: number): string {
  const s = Math.round(ms / 1000);
  const parts = [[Math.floor(s / 3600), 'h'], [Math.floor((s % 3600) / 60), 'm'], [s % 60, 's']] as const;
  return parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join('') || '0s';
}

/** "p95 latency_ms > 800 over 5m"; ratio metrics have no per-sample aggregate to name. */
export function defaultRuleName(r: { metric: MetricName; agg: Aggregate; op: string; threshold: number; windowMs: number }): string {
  const what = WINDOW_RATIO_METRICS.includes(r.metric) ? r.metric : `${r.agg} ${r.metric}`;
  return `${what} ${r.op} ${r.threshold} over ${formatWindow(r.windowMs)}`;
}

/** Only the origin of a webhook URL: its path often is the secret (chat hooks). */
export const webhookOrigin = (url: string) => new URL(url).origin;

/** `maxRules`: WORKSPACE_MAX_ALERT_RULES (CONFLICT when the workspace already has that many live rules). */
export async function createAlertRule(em: EntityManager, workspaceId: string, actorId: string, input: CreateAlertRuleInput, opts: { maxRules?: number } = {}) {
  if (WINDOW_RATIO_METRICS.includes(input.metric) && input.agg !== 'avg')
    throw new AppError('BAD_REQUEST', `${input.metric} is a rate over the whole window; use agg "avg"`);
  const id = randomUUID();
  const name = input.name ?? defaultRuleName(input);
  await em.transactional(async (tx) => {
    if (opts.maxRules !== undefined) await assertRoomInWorkspace(tx, workspaceId, 'alert rules', opts.maxRules);
    if (input.agentId) {
      const [agent] = await tx.execute(`select 1 from agents where id = ? and workspace_id = ?`, [input.agentId, workspaceId]);
      if (!agent) throw new AppError('NOT_FOUND', 'No such agent');
    }
    if (input.conversationId) {
      const [conversation] = await tx.execute(`select 1 from conversations where id = ? and workspace_id = ?`, [input.conversationId, workspaceId]);
      if (!conversation) throw new AppError('NOT_FOUND', 'No such conversation');
    }
    await tx.execute(
      `insert into alert_rules (id, workspace_id, agent_id, name, metric, agg, op, threshold, window_ms, webhook_url, conversation_id, created_by)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, workspaceId, input.agentId ?? null, name, input.metric, input.agg, input.op, input.threshold, input.windowMs, input.webhookUrl ?? null, input.conversationId ?? null, actorId],
    );
    recordAudit(tx, {
      workspaceId, actorId, action: 'alert.rule.create', targetId: id,
      data: {
        name, agentId: input.agentId ?? null, metric: input.metric, agg: input.agg, op: input.op, threshold: input.threshold,
        windowMs: input.windowMs, webhook: input.webhookUrl ? webhookOrigin(input.webhookUrl) : null, conversationId: input.conversationId ?? null,
      },
    });
  });
  const [rule] = await listAlertRules(em, workspaceId, { ruleId: id, showWebhookUrls: true });
  return rule!;
}

/**
 * Live rules, newest first, each with the agents it fires for now. Webhook URLs are shown to
 * admins only; others see the origin (the path of a chat hook is its secret).
 */
export async function listAlertRules(em: EntityManager, workspaceId: string, opts: { showWebhookUrls: boolean; ruleId?: string }) {
  const rules = await em.execute<(AlertRuleRow & { conversation_title: string | null })[]>(
    `select ${RULE_COLUMNS}, a.name as agent_name, c.title as conversation_title from alert_rules r left join agents a on a.id = r.agent_id
       left join conversations c on c.id = r.conversation_id and c.workspace_id = r.workspace_id
      where r.workspace_id = ? and r.deleted_at is null ${opts.ruleId ? 'and r.id = ?' : ''}
      order by r.created_at desc, r.id`,
    [workspaceId, ...(opts.ruleId ? [opts.ruleId] : [])],
  );
  const firing = await em.execute<{ rule_id: string; agent_id: string; agent_name: string; value: number | null; changed_at: Date }[]>(
    `select st.rule_id, st.agent_id, a.name as agent_name, st.value, st.changed_at
       from alert_states st join alert_rules r on r.id = st.rule_id join agents a on a.id = st.agent_id
      where r.workspace_id = ? and r.deleted_at is null and st.firing ${opts.ruleId ? 'and r.id = ?' : ''}
      order by st.changed_at`,
    [workspaceId, ...(opts.ruleId ? [opts.ruleId] : [])],
  );
  // The outcome of each rule's latest webhook delivery, for admins to see a failing receiver.
  const deliveries = opts.showWebhookUrls
    ? await em.execute<{ rule_id: string; webhook_state: 'pending' | 'delivered' | 'failed'; webhook_attempts: number; webhook_error: string | null; created_at: Date }[]>(
      `select distinct on (rule_id) rule_id, webhook_state, webhook_attempts, webhook_error, created_at
         from alert_events where workspace_id = ? and webhook_state is not null ${opts.ruleId ? 'and rule_id = ?' : ''}
        order by rule_id, seq desc`,
      [workspaceId, ...(opts.ruleId ? [opts.ruleId] : [])],
    )
    : [];
  const byRule = new Map(deliveries.map((d) => [d.rule_id, d]));
  const lastDelivery = (ruleId: string) => {
    const d = byRule.get(ruleId);
    return d ? { state: d.webhook_state, attempts: d.webhook_attempts, error: d.webhook_error, eventAt: new Date(d.created_at).toISOString() } : null;
  };
  return rules.map((r) => ({
    id: r.id,
    name: r.name,
    agentId: r.agent_id,
    agentName: r.agent_name,
    metric: r.metric,
    agg: r.agg,
    op: r.op,
    threshold: r.threshold,
    windowMs: r.window_ms,
    webhookUrl: r.webhook_url && (opts.showWebhookUrls ? r.webhook_url : `${webhookOrigin(r.webhook_url)}/…`),
    /** The session it posts into; null once that session is deleted (the rule stops posting). */
    conversation: r.conversation_id && r.conversation_title !== null ? { id: r.conversation_id, title: r.conversation_title } : null,
    /** Admins only (null for others): the latest event's webhook delivery. */
    lastDelivery: lastDelivery(r.id),
    createdAt: new Date(r.created_at).toISOString(),
    firing: firing.filter((f) => f.rule_id === r.id).map((f) => ({
      agentId: f.agent_id, agentName: f.agent_name, value: f.value, since: new Date(f.changed_at).toISOString(),
    })),
  }));
}
export type AlertRuleDto = Awaited<ReturnType<typeof listAlertRules>>[number];

/**
 * Soft-deletes a rule. What it fires for is resolved with `resolved` events (value null), so
 * dashboards and webhook receivers see every incident close; they go to the rule's webhook too.
 */
export async function deleteAlertRule(
  deps: { em: EntityManager; bus: Bus; queues: Queues; log?: Logger },
  workspaceId: string,
  actorId: string,
  ruleId: string,
): Promise<{ resolved: number }> {
  const events = await deps.em.transactional(async (tx) => {
    const [row] = await tx.execute<AlertRuleRow[]>(
      `update alert_rules r set deleted_at = now() where r.id = ? and r.workspace_id = ? and r.deleted_at is null returning ${RULE_COLUMNS}`,
      [ruleId, workspaceId],
    );
    if (!row) throw new AppError('NOT_FOUND', 'No such alert rule');
    recordAudit(tx, { workspaceId, actorId, action: 'alert.rule.delete', targetId: ruleId, data: { name: row.name } });
    return resolveOnDelete(tx, toAlertRule(row), new Date());
  });
  await publishAlertEvents(deps, events);
  await announceAlertRulesChanged(deps.bus, workspaceId);
  return { resolved: events.length };
}
