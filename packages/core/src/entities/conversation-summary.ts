// A conversation's summary of its earlier messages (conversations/summaries.ts): what the assistant
// is sent instead of the messages that no longer fit its model's history budget.
import { defineEntity, p } from '@mikro-orm/core';
import { Conversation } from './conversation.ts';

export const ConversationSummaryEntity = defineEntity({
  name: 'ConversationSummary',
  tableName: 'conversation_summaries',
  properties: {
    conversation: () => p.manyToOne(Conversation).ref().primary()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('conversation_summaries_conversation_id_fkey'),
    /** The conversation's workspace: every read and write names it (tenant scope). */
    workspaceId: p.uuid(),
    content: p.text(),
    /** The summary covers the complete messages with seq up to this one. */
    coversThroughSeq: p.integer(),
    /** How many messages it covers (shown in the reply's note). */
    coveredMessages: p.integer(),
    /** Estimated tokens of `content` (apps/worker/src/assistant/context-budget.ts). */
    tokens: p.integer(),
    /** `extractive`, or the provider and model that wrote it. */
    writtenBy: p.string().length(100),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
