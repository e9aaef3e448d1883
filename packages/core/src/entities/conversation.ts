// Conversations, their messages, assistant runs and the gapless per-conversation event log.
import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { MetricRef } from '@tandem/schema';

export const Conversation = defineEntity({
  name: 'Conversation',
  tableName: 'conversations',
  indexes: [{ properties: ['workspaceId', 'lastActivityAt'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspaceId: p.uuid(),
    createdBy: p.uuid(),
    title: p.string().length(120),
    /** Last event sequence number; incremented under the row lock, so sequences are gapless. */
    lastSeq: p.integer().default(0),
    lastActivityAt: p.datetime().onCreate(() => new Date()),
    archivedAt: p.datetime().nullable(),
    /** Set when a retention sweep archived it: hidden from lists, purged after RETENTION_GRACE_DAYS. */
    retentionArchivedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IConversation = InferEntity<typeof Conversation>;

export const Message = defineEntity({
  name: 'Message',
  tableName: 'messages',
  uniques: [{ properties: ['conversationId', 'clientMessageId'] }],
  indexes: [{ properties: ['conversationId', 'seq'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    conversationId: p.uuid(),
    /** Sequence number of this message's `message.created` event: the total order of messages. */
    seq: p.integer(),
    /** 'alert': posted by an alert rule into its session ("Tandem alerts", no author, no run). */
    role: p.enum(['user', 'assistant', 'alert'] as const),
    authorId: p.uuid().nullable(),
    content: p.text().default(''),
    status: p.enum(['streaming', 'complete', 'error', 'cancelled', 'timeout'] as const),
    runId: p.uuid().nullable(),
    clientMessageId: p.string().length(64).nullable(),
    tokens: p.integer().nullable(),
    costUsd: p.double().nullable(),
    latencyMs: p.integer().nullable(),
    /** An agent's metric over a range the question is about (a chart selection, an alert's window). */
    metricRef: p.json<MetricRef>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IMessage = InferEntity<typeof Message>;

export const Run = defineEntity({
  name: 'Run',
  tableName: 'runs',
  indexes: [{ properties: ['conversationId', 'status'] }, { properties: ['createdBy', 'createdAt'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    conversationId: p.uuid(),
    workspaceId: p.uuid(),
    questionMessageId: p.uuid(),
    replyMessageId: p.uuid().nullable(),
    createdBy: p.uuid(),
    status: p.enum(['queued', 'running', 'completed', 'failed', 'timeout', 'cancelled'] as const),
    /**
     * How many times a worker has started this run. A worker writes only while the attempt it
     * started is the current one, so one that lost its job lock cannot write over the retry.
     */
    attempt: p.integer().default(0),
    reason: p.string().length(500).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    finishedAt: p.datetime().nullable(),
  },
});
export type IRun = InferEntity<typeof Run>;

export const ConversationEventRow = defineEntity({
  name: 'ConversationEventRow',
  tableName: 'conversation_events',
  properties: {
    conversationId: p.uuid().primary(),
    seq: p.integer().primary(),
    type: p.string().length(40),
    payload: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
