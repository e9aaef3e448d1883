// export.schedule / schedules / pauseSchedule / resumeSchedule / unschedule: scheduled exports
// (core export-schedules), merged into the `export` namespace beside export.ts (admins).
import { scheduleExportInput, scheduleIdInput, workspaceIdInput } from '@tandem/schema';
import { createExportSchedule, listExportSchedules, removeExportSchedule, setSchedulePaused } from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';

export const exportScheduleRouter = router({
  /** Answers the schedule with its next five run times (cron, zone and webhook URL are checked first). */
  schedule: workspaceProcedure('admin').input(scheduleExportInput).mutation(({ ctx, input }) => {
    const { workspaceId: _w, cron, timezone, webhookUrl, ...spec } = input;
    return createExportSchedule({ em: ctx.em, queues: ctx.rt.queues, bus: ctx.rt.bus },
      { workspaceId: ctx.workspace.id, actorId: ctx.user.id, cron, timezone, spec, webhookUrl },
      { allowPrivateWebhooks: ctx.rt.config.WEBHOOK_ALLOW_PRIVATE });
  }),

  schedules: workspaceProcedure('admin').input(workspaceIdInput).query(({ ctx }) =>
    listExportSchedules(ctx.em, ctx.workspace.id, { showWebhookUrls: ctx.workspace.role === 'admin' })),

  pauseSchedule: workspaceProcedure('admin').input(scheduleIdInput).mutation(({ ctx, input }) =>
    setSchedulePaused({ em: ctx.em, queues: ctx.rt.queues, bus: ctx.rt.bus }, ctx.workspace.id, input.scheduleId, ctx.user.id, true)),

  resumeSchedule: workspaceProcedure('admin').input(scheduleIdInput).mutation(({ ctx, input }) =>
    setSchedulePaused({ em: ctx.em, queues: ctx.rt.queues, bus: ctx.rt.bus }, ctx.workspace.id, input.scheduleId, ctx.user.id, false)),

  unschedule: workspaceProcedure('admin').input(scheduleIdInput).mutation(({ ctx, input }) =>
    removeExportSchedule({ em: ctx.em, queues: ctx.rt.queues, bus: ctx.rt.bus }, ctx.workspace.id, input.scheduleId, ctx.user.id)),
});
