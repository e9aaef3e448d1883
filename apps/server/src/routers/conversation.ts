// conversation.*: shared analysis sessions — CRUD, asking, cancelling, live events, typing.
import {
  conversationEventsInput, conversationIdInput, createConversationInput, getConversationInput,
  listConversationsInput, renameConversationInput, runIdInput, sendMessageInput,
} from '@tandem/schema';
import {
  AppError, archiveConversation, archivedByRetention, createConversation, deleteConversation, ephemeralChannel, finishRun, getConversation,
  listConversations, renameConversation, replayConversation, restoreConversation, sendMessage,
} from '@tandem/core';
import { conversationProcedure, expensiveQuery, router, runProcedure, workspaceProcedure } from '../trpc.ts';
import { guardSubscription } from '../subscriptions/auth-watch.ts';
import { conversationEvents } from '../subscriptions/conversation-events.ts';

export const conversationRouter = router({
  create: workspaceProcedure('member').input(createConversationInput).mutation(({ ctx, input }) =>
    createConversation(ctx.em, ctx.workspace.id, ctx.user.id, input.title)),

  list: workspaceProcedure('viewer').input(listConversationsInput).query(({ ctx, input }) =>
    listConversations(ctx.em, ctx.workspace.id, input)),

  get: conversationProcedure('viewer').use(expensiveQuery).input(getConversationInput).query(({ ctx, input }) =>
    getConversation(ctx.em, input.conversationId, input)),

  rename: conversationProcedure('member').input(renameConversationInput).mutation(({ ctx, input }) =>
    renameConversation(ctx.em, ctx.rt.bus, input.conversationId, input.title)),

  archive: conversationProcedure('member').input(conversationIdInput).mutation(({ ctx, input }) =>
    archiveConversation(ctx.em, ctx.rt.bus, input.conversationId)),

  restore: conversationProcedure('member').input(conversationIdInput).mutation(async ({ ctx, input }) => {
    if (ctx.workspace.role !== 'admin' && (await archivedByRetention(ctx.em, input.conversationId)))
      throw new AppError('FORBIDDEN', 'Retention archived this conversation; only an admin can restore it');
    return restoreConversation(ctx.em, ctx.rt.bus, input.conversationId, ctx.user.id);
  }),

  /** Gone for everyone, live: its creator or an admin; audited (packages/core/src/conversations/delete.ts). */
  delete: conversationProcedure('member').input(conversationIdInput).mutation(({ ctx, input }) =>
    deleteConversation({ em: ctx.em, bus: ctx.rt.bus }, input.conversationId, { id: ctx.user.id, name: ctx.user.name, isAdmin: ctx.workspace.role === 'admin' })),

  send: conversationProcedure('member').input(sendMessageInput).mutation(({ ctx, input }) =>
    sendMessage(
      {
        em: ctx.em, bus: ctx.rt.bus, queues: ctx.rt.queues, ratePerHour: ctx.rt.config.ASSISTANT_RATE_LIMIT_PER_HOUR,
        workspacePerHour: ctx.rt.config.ASSISTANT_WORKSPACE_LIMIT_PER_HOUR, deploymentPerHour: ctx.rt.config.ASSISTANT_MAX_RUNS_PER_HOUR,
      },
      { ...input, userId: ctx.user.id, workspaceId: ctx.workspace.id },
    )),

  /** The stored session on one timeline with its agents' charts (packages/core/src/conversations/replay.ts). */
  replay: conversationProcedure('viewer').use(expensiveQuery).input(conversationIdInput).query(({ ctx, input }) =>
    replayConversation(ctx.em, input.conversationId, { rawRetentionDays: ctx.rt.config.METRICS_RAW_RETENTION_DAYS })),

  /** Withdraws a queued question or stops a running reply (its partial text is kept). */
  cancel: runProcedure('member').input(runIdInput).mutation(async ({ ctx, input }) => ({
    cancelled: await finishRun({ em: ctx.em, bus: ctx.rt.bus }, input.runId, { status: 'cancelled', reason: `Cancelled by ${ctx.user.name}` }),
  })),

  typing: conversationProcedure('member').input(conversationIdInput).mutation(async ({ ctx, input }) => {
    if (ctx.services.typing.admit(input.conversationId, ctx.user.id))
      await ctx.rt.bus.publish(ephemeralChannel(input.conversationId), { type: 'typing', user: { id: ctx.user.id, name: ctx.user.name } });
    return { ok: true as const };
  }),

  events: conversationProcedure('viewer').input(conversationEventsInput).subscription(({ ctx, input, signal }) =>
    guardSubscription(ctx, 'viewer', signal, (s, scope) =>
      conversationEvents(scope.rt, scope.services.conversationHubs, input.conversationId, input.lastEventId, s, scope.user))),
});
