// Inputs of conversation.* procedures and the events of conversation.events.
import { z } from 'zod';
import { idSchema } from './auth.ts';

export const conversationIdInput = z.object({ conversationId: idSchema });
export const createConversationInput = z.object({
  workspaceId: idSchema,
  title: z.string().trim().min(1).max(120).optional(),
});
export const listConversationsInput = z.object({
  workspaceId: idSchema,
  archived: z.boolean().default(false),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(30),
});
export const getConversationInput = z.object({
  conversationId: idSchema,
  /** Page backwards: messages older than this message sequence number. */
  before: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export const renameConversationInput = z.object({ conversationId: idSchema, title: z.string().trim().min(1).max(120) });
export const sendMessageInput = z.object({
  conversationId: idSchema,
  content: z.string().trim().min(1, 'Write a question first').max(8000, 'Questions are limited to 8,000 characters'),
  /** Made by the client; resending the same id never makes a second message, job or quota unit. */
  clientMessageId: z.string().min(8).max(64).regex(/^[\w-]+$/, 'must be letters, digits, - or _'),
});
export const runIdInput = z.object({ runId: idSchema });
export const conversationEventsInput = z.object({
  conversationId: idSchema,
  /** Resume after this event id (a sequence number as a string, as tRPC's tracked() gives it). */
  lastEventId: z.string().regex(/^\d{1,15}$/).nullish(),
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
  role: z.enum(['user', 'assistant']),
  author: z.object({ id: z.string(), name: z.string() }).nullable(),
  content: z.string(),
  status: messageStatusSchema,
  runId: z.string().nullable(),
  tokens: z.number().int().nullable(),
  costUsd: z.number().nullable(),
  latencyMs: z.number().int().nullable(),
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
  z.object({ type: z.literal('conversation.updated'), title: z.string(), archived: z.boolean() }),
]);
export type ConversationEvent = z.infer<typeof conversationEventSchema>;

/** Not persisted: who is looking and who is typing. Never tracked, never replayed. */
export type EphemeralEvent =
  | { type: 'typing'; user: { id: string; name: string } }
  | { type: 'presence'; viewers: { id: string; name: string }[] }
  | { type: 'resync'; reason: string; lastSeq: number };

/** What subscribers tell each other over the bus about who is viewing (never sent to clients). */
export type PresenceSignal =
  | { type: 'presence.beat'; user: { id: string; name: string }; connection: string }
  | { type: 'presence.leave'; user: { id: string; name: string }; connection: string };
