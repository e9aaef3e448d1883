// jobs.*: the Jobs page. Admins see and act on their workspace's jobs; queue-wide figures are for
// the deployment's operators (OPERATOR_EMAILS) only, since queues are shared by every tenant.
import { TRPCError } from '@trpc/server';
import { jobsRemoveInput, jobsRetryInput, workspaceIdInput } from '@tandem/schema';
import {
  cancelExport, exportLinks, exportView, listExportSchedules, listExports, queueFigures, removeExportSchedule, retryExport,
  retryExportWebhook, retryWebhookDelivery, workspaceJobs,
} from '@tandem/core';
import { authedProcedure, router, workspaceProcedure } from '../trpc.ts';
import { guardSubscription } from '../subscriptions/auth-watch.ts';
import { jobsEvents } from '../subscriptions/jobs-events.ts';

export const jobsRouter = router({
  /** Exports (newest 50), schedules with their next runs, retention sweeps, failed runs and webhook deliveries. */
  list: workspaceProcedure('admin').input(workspaceIdInput).query(async ({ ctx }) => {
    const links = await exportLinks(ctx.rt.config);
    const exports = (await listExports(ctx.em, ctx.workspace.id, { limit: 50 })).map((r) => exportView(r, links, ctx.rt.config.EXPORT_RETENTION_DAYS));
    return { exports, schedules: await listExportSchedules(ctx.em, ctx.workspace.id, { showWebhookUrls: ctx.workspace.role === 'admin' }), ...(await workspaceJobs(ctx.em, ctx.workspace.id)) };
  }),

  retry: workspaceProcedure('admin').input(jobsRetryInput).mutation(async ({ ctx, input }) => {
    const deps = { em: ctx.em, queues: ctx.rt.queues, bus: ctx.rt.bus };
    if (input.kind === 'export') await retryExport(deps, ctx.workspace.id, input.exportId, ctx.user.id);
    else if (input.kind === 'exportWebhook') await retryExportWebhook(deps, ctx.workspace.id, input.exportId);
    else await retryWebhookDelivery(deps, ctx.workspace.id, input.seq);
    return { retried: true };
  }),

  remove: workspaceProcedure('admin').input(jobsRemoveInput).mutation(async ({ ctx, input }) => {
    const deps = { em: ctx.em, queues: ctx.rt.queues, bus: ctx.rt.bus };
    if (input.kind === 'export') await cancelExport({ ...deps, dataDir: ctx.rt.config.DATA_DIR }, ctx.workspace.id, input.exportId, ctx.user.id);
    else await removeExportSchedule(deps, ctx.workspace.id, input.scheduleId, ctx.user.id);
    return { removed: true };
  }),

  /** Pushed when a job of the workspace changes; the page reads jobs.list again. */
  events: workspaceProcedure('admin').input(workspaceIdInput).subscription(({ ctx, signal }) =>
    guardSubscription(ctx, 'admin', signal, (s, scope) => jobsEvents(scope.rt, scope.workspaceId, s))),

  /** Deployment-wide counts per queue: operators only (a workspace admin is no operator). */
  queues: authedProcedure.query(async ({ ctx }) => {
    if (!ctx.rt.config.operatorEmails.includes(ctx.user.email.toLowerCase()))
      throw new TRPCError({ code: 'FORBIDDEN', message: 'Queue figures are for the operators of this deployment' });
    return { queues: await queueFigures(ctx.rt.queues) };
  }),
});
