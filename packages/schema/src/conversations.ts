// Inputs of conversation.* procedures and the events of conversation.events.
import { z } from 'zod';
import { idSchema } from './auth.ts';
import { metricNameSchema } from './metric-fields.ts';
import { multiLineText, singleLineText, tokenText } from './text.ts';

/** Column size of conversations.title; the default title and renames fit it. */
export const CONVERSATION_TITLE_MAX = 120;
export const conversationTitleSchema = singleLineText('Title', { max: CONVERSATION_TITLE_MAX });
/** Event sequence numbers are int columns: nine digits never overflow one. */
export const eventIdSchema = tokenText('Last event id', { max: 9, pattern: /^\d+$/, patternMessage: 'must be the id of an event received before' });

export const conversationIdInput = z.object({ conversationId: idSchema });
export const createConversationInput = z.object({
  workspaceId: idSchema,
  title: conversationTitleSchema.optional(),
});
export const listConversationsInput = z.object({
  workspaceId: idSchema,
  archived: z.boolean().default(false),
  /** `lastActivityAt|id` of the last row of the previous page, as nextCursor gave it. */
  cursor: tokenText('Cursor', {
    max: 200,
    pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    patternMessage: 'must be the nextCursor of a previous page',
  }).optional(),
  limit: z.number().int().min(1).max(100).default(30),
});
export const getConversationInput = z.object({
  conversationId: idSchema,
  /** Page backwards: messages older than this message sequence number. */
  before: z.number().int().positive().max(2_147_483_647).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export const renameConversationInput = z.object({ conversationId: idSchema, title: conversationTitleSchema });
/** A range attached to a question: longer ones are not "this" any more, and the assistant's queries stay cheap. */
export const METRIC_REF_MAX_SPAN_MS = 31 * 86_400_000;
/** Before the year 10000: what Date and timestamptz both hold. */
const refEpochMs = z.number().int().nonnegative().max(253_402_300_799_999, 'must be before the year 10000');
/** An agent's metric over a range, attached to a message (a chart selection, an alert's window). */
export const metricRefSchema = z.object({
  agentId: idSchema,
  metric: metricNameSchema,
  from: refEpochMs,
  to: refEpochMs,
})
  .refine((r) => r.to > r.from, { message: 'must be after from', path: ['to'] })
  .refine((r) => r.to - r.from <= METRIC_REF_MAX_SPAN_MS, { message: 'range is at most 31 days', path: ['to'] });
export type MetricRef = z.infer<typeof metricRefSchema>;

export const sendMessageInput = z.object({
  conversationId: idSchema,
  content: multiLineText('Question', { max: 8000 }),
  /** Made by the client; resending the same id never makes a second message, job or quota unit. */
  clientMessageId: tokenText('Client message id', { min: 8, max: 64, pattern: /^[\w-]+$/, patternMessage: 'must be letters, digits, - or _' }),
  /** The agent must be in the conversation's workspace (else NOT_FOUND). */
  metricRef: metricRefSchema.optional(),
});
export const runIdInput = z.object({ runId: idSchema });
export const conversationEventsInput = z.object({
  conversationId: idSchema,
  /** Resume after this event id (a sequence number as a string, as tRPC's tracked() gives it). */
  lastEventId: eventIdSchema.nullish(),
});

export const messageStatusSchema = z.enum(['streaming', 'complete', 'error', 'cancelled', 'timeout']);
export const runStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'timeout', 'cancelled']);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const chartHintSchema = z.object({
  kind: z.enum(['line', 'bar', 'table', 'stat']),
  x: z.string(),
  series: z.array(z.string()),
  title: z.string().optional(),
});

export const messageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  seq: z.number().int(),
  /** 'alert': a fired/resolved post of an alert rule ("Tandem alerts"): no author, no run. */
  role: z.enum(['user', 'assistant', 'alert']),
  author: z.object({ id: z.string(), name: z.string() }).nullable(),
  content: z.string(),
  status: messageStatusSchema,
  runId: z.string().nullable(),
  tokens: z.number().int().nullable(),
  costUsd: z.number().nullable(),
  latencyMs: z.number().int().nullable(),
  metricRef: metricRefSchema.nullable(),
  createdAt: z.string(),
});
export type MessageDto = z.infer<typeof messageSchema>;

/** Every persisted event; `seq` is gapless per conversation and is the tracked() id. */
export const conversationEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message.created'), message: messageSchema }),
  z.object({ type: z.literal('message.delta'), messageId: z.string(), text: z.string(), replace: z.boolean().optional() }),
  z.object({
    type: z.literal('message.completed'), messageId: z.string(), content: z.string(), status: messageStatusSchema,
    tokens: z.number().nullable(), costUsd: z.number().nullable(), latencyMs: z.number().nullable(),
  }),
  z.object({ type: z.literal('tool.started'), runId: z.string(), callId: z.string(), name: z.string(), args: z.unknown() }),
  z.object({
    type: z.literal('tool.finished'), runId: z.string(), callId: z.string(), name: z.string(), args: z.unknown(),
    result: z.unknown().optional(), error: z.string().optional(), latencyMs: z.number(), chart: chartHintSchema.optional(),
  }),
  z.object({ type: z.literal('run.status'), runId: z.string(), status: runStatusSchema, questionMessageId: z.string(), reason: z.string().optional() }),
  /** The reply's run was sent a summary of the conversation's `messages` oldest messages instead of their text. */
  z.object({ type: z.literal('context.summarised'), runId: z.string(), messageId: z.string(), messages: z.number().int() }),
  z.object({ type: z.literal('conversation.updated'), title: z.string(), archived: z.boolean() }),
]);
export type ConversationEvent = z.infer<typeof conversationEventSchema>;

/** Not persisted: who is looking and who is typing. Never tracked, never replayed. */
export type EphemeralEvent =
  | { type: 'typing'; user: { id: string; name: string } }
  /** conversation.delete: it is gone for everyone; clients leave it. */
  | { type: 'deleted'; by: { id: string; name: string } }
  | { type: 'presence'; viewers: { id: string; name: string }[] }
  | { type: 'resync'; reason: string; lastSeq: number };

/** What subscribers tell each other over the bus about who is viewing (never sent to clients). */
export type PresenceSignal =
  | { type: 'presence.beat'; user: { id: string; name: string }; connection: string }
  | { type: 'presence.leave'; user: { id: string; name: string }; connection: string };
