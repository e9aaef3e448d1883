// retention.*: the workspace's conversation retention period, its last sweep, and a sweep now (admins).
import { retentionSetInput, workspaceIdInput } from '@tandem/schema';
import { announceJobChange, retentionReport, setConversationRetention, sweepRetention } from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';

export const retentionRouter = router({
  report: workspaceProcedure('admin').input(workspaceIdInput).query(({ ctx }) =>
    retentionReport(ctx.em, ctx.workspace.id, { defaultDays: ctx.rt.config.CONVERSATION_RETENTION_DAYS, graceDays: ctx.rt.config.RETENTION_GRACE_DAYS })),

  set: workspaceProcedure('admin').input(retentionSetInput).mutation(async ({ ctx, input }) => {
    await setConversationRetention(ctx.em, ctx.workspace.id, ctx.user.id, input.conversationDays);
    return { conversationDays: input.conversationDays ?? ctx.rt.config.CONVERSATION_RETENTION_DAYS };
  }),

  /**
   * Sweeps this workspace now, in this request: the same bounded batches as the daily job (which
   * runs on the maintenance queue), so the admin gets the report without waiting behind upkeep.
   */
  run: workspaceProcedure('admin').input(workspaceIdInput).mutation(async ({ ctx }) => {
    const [report] = await sweepRetention(ctx.em, {
      now: new Date(), defaultDays: ctx.rt.config.CONVERSATION_RETENTION_DAYS, graceDays: ctx.rt.config.RETENTION_GRACE_DAYS,
      workspaceId: ctx.workspace.id, actorId: ctx.user.id,
    });
    await announceJobChange(ctx.rt.bus, ctx.workspace.id, 'retention').catch(() => undefined);
    return report!;
  }),
});
