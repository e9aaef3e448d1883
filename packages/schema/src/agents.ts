// The agent router (agent.list, agent.update): an agent as the API shows it, its status and the
// thresholds that decide it.
import { z } from 'zod';
import { singleLineText } from './text.ts';
import { idSchema } from './auth.ts';

export const agentStatusSchema = z.enum(['ok', 'degraded', 'down']);
export type AgentStatus = z.infer<typeof agentStatusSchema>;

const threshold = {
  /** p95 latency above this (over the status window) → degraded. */
  latencyMs: z.number().positive().max(86_400_000).nullable(),
  /** errors / requests above this (0..1) → degraded. */
  errorRate: z.number().min(0).max(1).nullable(),
  /** No sample for this long → down. */
  downAfterMs: z.number().int().min(5_000).max(86_400_000),
};
export const agentThresholdsSchema = z.object({
  latencyMs: threshold.latencyMs.default(null),
  errorRate: threshold.errorRate.default(null),
  downAfterMs: threshold.downAfterMs.default(60_000),
});
export type AgentThresholds = z.infer<typeof agentThresholdsSchema>;

export const agentSchema = z.object({
  id: z.string(),
  workspaceId: z.string(),
  name: z.string(),
  owner: z.string().nullable(),
  model: z.string().nullable(),
  version: z.string().nullable(),
  tags: z.array(z.string()),
  thresholds: agentThresholdsSchema,
  status: agentStatusSchema,
  statusReason: z.string().nullable(),
  statusChangedAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Agent = z.infer<typeof agentSchema>;

export const updateAgentInput = z.object({
  workspaceId: idSchema,
  agentId: idSchema,
  /** An empty owner, model or version clears it (null too). Maxima are agents' column sizes. */
  owner: singleLineText('Owner', { min: 0, max: 120 }).nullable().optional(),
  model: singleLineText('Model', { min: 0, max: 120 }).nullable().optional(),
  version: singleLineText('Version', { min: 0, max: 60 }).nullable().optional(),
  tags: z.array(singleLineText('Tag', { max: 40 })).max(20).optional(),
  // Not agentThresholdsSchema.partial(): its defaults would reset the thresholds left out.
  thresholds: z.object({
    latencyMs: threshold.latencyMs.optional(),
    errorRate: threshold.errorRate.optional(),
    downAfterMs: threshold.downAfterMs.optional(),
  }).optional(),
});
export type UpdateAgentInput = z.infer<typeof updateAgentInput>;

/** An agent's status as announced on `agents:<workspaceId>` and carried by metrics.live batches. */
export const agentStatusChangeSchema = z.object({ agentId: z.string(), status: agentStatusSchema, reason: z.string().nullable() });
export type AgentStatusChange = z.infer<typeof agentStatusChangeSchema>;

/** Before the year 10000: what Date and timestamptz both hold. */
const markerEpochMs = z.number().int().nonnegative().max(253_402_300_799_999, 'must be before the year 10000');
/** The most markers one chart gets: more would cover it. */
export const RUN_MARKERS_MAX = 200;
/** agent.runMarkers: the assistant's runs (agent `tandem-assistant`) finished within a chart's range. */
export const runMarkersInput = z.object({
  workspaceId: idSchema,
  agentId: idSchema,
  from: markerEpochMs,
  to: markerEpochMs,
})
  .refine((q) => q.to > q.from, { message: 'must be after from', path: ['to'] })
  .refine((q) => q.to - q.from <= 400 * 86_400_000, { message: 'range is at most 400 days', path: ['to'] });
export type RunMarkersInput = z.infer<typeof runMarkersInput>;
/** One run on the chart: when its sample was written, and the turn (question) that caused it. */
export const runMarkerSchema = z.object({
  at: z.number(),
  conversationId: z.string(),
  messageId: z.string(),
  title: z.string(),
});
export type RunMarker = z.infer<typeof runMarkerSchema>;
