// The alert tables (alerts/*.ts query them with plain SQL): rules, whether each rule fires for each
// agent, the per-workspace event sequence, and the events with their webhook delivery's outcome.
import { defineEntity, p } from '@mikro-orm/core';
import type { z } from 'zod';
import type { Aggregate, MetricName, alertOpSchema } from '@tandem/schema';
import { Workspace } from './workspace.ts';
import { AgentEntity } from './agent.ts';

export const AlertRuleEntity = defineEntity({
  name: 'AlertRule',
  tableName: 'alert_rules',
  indexes: [{ properties: ['workspace'] }],
  properties: {
    id: p.uuid().primary(),
    workspace: () => p.manyToOne(Workspace).ref()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('alert_rules_workspace_id_fkey'),
    /** Null: the rule applies to every agent of the workspace, each on its own. */
    agent: () => p.manyToOne(AgentEntity).ref().nullable()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('alert_rules_agent_id_fkey'),
    name: p.string().length(120),
    metric: p.string().length(20).$type<MetricName>(),
    agg: p.string().length(8).$type<Aggregate>(),
    op: p.string().length(2).$type<z.infer<typeof alertOpSchema>>(),
    threshold: p.double(),
    windowMs: p.integer(),
    webhookUrl: p.string().length(2000).nullable(),
    /** The session fired/resolved are posted into; no foreign key (a deleted one just stops the posts). */
    conversationId: p.uuid().nullable(),
    createdBy: p.uuid(),
    createdAt: p.datetime().defaultRaw('now()'),
    /** Rules are deleted softly, so their events keep them. */
    deletedAt: p.datetime().nullable(),
  },
});

/** Whether a rule currently fires for an agent (hysteresis lives in the evaluator). */
export const AlertStateEntity = defineEntity({
  name: 'AlertState',
  tableName: 'alert_states',
  properties: {
    rule: () => p.manyToOne(AlertRuleEntity).primary().ref()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('alert_states_rule_id_fkey'),
    agent: () => p.manyToOne(AgentEntity).primary().ref()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('alert_states_agent_id_fkey'),
    firing: p.boolean(),
    value: p.double().nullable(),
    changedAt: p.datetime(),
  },
});

/** The last event sequence number of a workspace: events are numbered without gaps under its lock. */
export const AlertStreamEntity = defineEntity({
  name: 'AlertStream',
  tableName: 'alert_streams',
  properties: {
    workspace: () => p.oneToOne(Workspace).primary().owner().ref()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('alert_streams_workspace_id_fkey'),
    lastSeq: p.integer().default(0),
  },
});

/**
 * A fired or resolved event. Rule and agent names are copied in (no foreign keys): an event is
 * history and reads the same after either goes. webhook_*: pending → delivered | failed.
 */
export const AlertEventEntity = defineEntity({
  name: 'AlertEvent',
  tableName: 'alert_events',
  indexes: [{ name: 'alert_events_webhook_pending_index', expression: `create index "alert_events_webhook_pending_index" on "alert_events" ("created_at") where "webhook_state" = 'pending'` }],
  properties: {
    workspace: () => p.manyToOne(Workspace).primary().ref()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('alert_events_workspace_id_fkey'),
    /** The tracked() id of alert.events. */
    seq: p.integer().primary(),
    ruleId: p.uuid(),
    ruleName: p.string().length(120),
    agentId: p.uuid(),
    agentName: p.string().length(64),
    kind: p.enum(['fired', 'resolved'] as const),
    value: p.double().nullable(),
    threshold: p.double(),
    createdAt: p.datetime().defaultRaw('now()'),
    webhookState: p.enum(['pending', 'delivered', 'failed'] as const).nullable(),
    webhookAttempts: p.integer().default(0),
    webhookError: p.string().length(300).nullable(),
    webhookDeliveredAt: p.datetime().nullable(),
  },
});
