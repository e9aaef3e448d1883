// retention.*: the workspace's conversation retention period, its last sweep, and a sweep now (admins).
import { retentionSetInput, workspaceIdInput } from '@tandem/schema';
import { retentionReport, setConversationRetention, type RetentionReport } from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';

/** A sweep of one workspace runs in bounded batches; this bounds how long the caller waits for it. */
const RUN_WAIT_MS = 120_000;

export const retentionRouter = router({
  report: workspaceProcedure('admin').input(workspaceIdInput).query(({ ctx }) =>
    retentionReport(ctx.em, ctx.workspace.id, { defaultDays: ctx.rt.config.CONVERSATION_RETENTION_DAYS, graceDays: ctx.rt.config.RETENTION_GRACE_DAYS })),

  set: workspaceProcedure('admin').input(retentionSetInput).mutation(async ({ ctx, input }) => {
    await setConversationRetention(ctx.em, ctx.workspace.id, ctx.user.id, input.conversationDays);
    return { conversationDays: input.conversationDays ?? ctx.rt.config.CONVERSATION_RETENTION_DAYS };
  }),

  /** Sweeps the workspace now, as a job on the maintenance queue like the daily sweep. */
  run: workspaceProcedure('admin').input(workspaceIdInput).mutation(async ({ ctx }) => {
    const job = await ctx.rt.queues.add('retention.sweep', { workspaceId: ctx.workspace.id, actorId: ctx.user.id });
    const [report] = await ctx.rt.queues.waitForResult<RetentionReport[]>(job, RUN_WAIT_MS);
    return report!;
  }),
});
