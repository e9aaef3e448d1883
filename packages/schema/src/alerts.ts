// The alert router (alert.createRule, listRules, deleteRule, events): rules on a metric of an
// agent, and the fired / resolved events they produce.
import { z } from 'zod';
import { asTextType, singleLineText, tokenText } from './text.ts';
import { eventIdSchema } from './conversations.ts';
import { idSchema } from './auth.ts';
import { aggregateSchema, metricNameSchema } from './metric-fields.ts';

/**
 * Visible ASCII (a URL with other characters is sent percent-encoded), then an http(s) URL; the
 * maximum is the size of alert_rules.webhook_url and export_schedules.webhook_url (export.schedule
 * takes the same URLs).
 */
export const webhookUrlSchema = asTextType(
  tokenText('Webhook URL', { max: 2000 }).pipe(z.url({ protocol: /^https?$/, message: 'Webhook URL must be an http or https URL' })),
  { kind: 'token', field: 'Webhook URL', min: 1, max: 2000 },
);

export const alertOpSchema = z.enum(['>', '>=', '<', '<=']);
export const createAlertRuleInput = z.object({
  workspaceId: idSchema,
  /** Omitted: the rule applies to every agent of the workspace, each on its own. */
  agentId: idSchema.nullish(),
  metric: metricNameSchema,
  agg: aggregateSchema.default('avg'),
  op: alertOpSchema,
  threshold: z.number().finite(),
  windowMs: z.number().int().min(10_000).max(86_400_000),
  name: singleLineText('Rule name', { max: 120 }).optional(),
  webhookUrl: webhookUrlSchema.nullish(),
  /** A session of the workspace (else NOT_FOUND) that fired and resolved are posted into. */
  conversationId: idSchema.nullish(),
});
export const deleteAlertRuleInput = z.object({ workspaceId: idSchema, ruleId: idSchema });
export const alertEventsInput = z.object({
  workspaceId: idSchema,
  lastEventId: eventIdSchema.nullish(),
});
export const alertEventSchema = z.object({
  seq: z.number().int(),
  ruleId: z.string(),
  ruleName: z.string(),
  agentId: z.string(),
  agentName: z.string(),
  kind: z.enum(['fired', 'resolved']),
  value: z.number().nullable(),
  threshold: z.number(),
  at: z.string(),
});
export type AlertEvent = z.infer<typeof alertEventSchema>;
