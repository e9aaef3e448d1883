// export.*: admins export their workspace's data as files (packages/core/src/exports), watch the
// progress live, cancel and retry. Scheduled exports (export.schedule…) live in their own router file.
import { createExportInput, exportEventsInput, exportIdInput, listExportsInput, type ExportView } from '@tandem/schema';
import {
  cancelExport, createExport, exportLinks, exportView, getExport, listExports, retryExport, type IExport, type Runtime,
} from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';
import { guardSubscription } from '../subscriptions/auth-watch.ts';
import { exportEvents } from '../subscriptions/export-events.ts';

const views = async (rt: Runtime, rows: IExport[]): Promise<ExportView[]> => {
  const links = await exportLinks(rt.config);
  return rows.map((r) => exportView(r, links, rt.config.EXPORT_RETENTION_DAYS));
};
const viewOf = async (rt: Runtime, row: IExport) => (await views(rt, [row]))[0]!;

export const exportRouter = router({
  create: workspaceProcedure('admin').input(createExportInput).mutation(async ({ ctx, input }) => {
    const row = await createExport({ em: ctx.em, queues: ctx.rt.queues, bus: ctx.rt.bus }, { ...input, requestedBy: ctx.user.id });
    return { exportId: row.id, export: await viewOf(ctx.rt, row) };
  }),

  /** Newest first, 50 a page; `nextCursor` continues. */
  list: workspaceProcedure('admin').input(listExportsInput).query(async ({ ctx, input }) => {
    const rows = await listExports(ctx.em, ctx.workspace.id, { cursor: input.cursor, limit: input.limit });
    return { exports: await views(ctx.rt, rows), nextCursor: rows.length === input.limit ? rows[rows.length - 1]!.id : null };
  }),

  get: workspaceProcedure('admin').input(exportIdInput).query(async ({ ctx, input }) =>
    viewOf(ctx.rt, await getExport(ctx.em, ctx.workspace.id, input.exportId))),

  cancel: workspaceProcedure('admin').input(exportIdInput).mutation(async ({ ctx, input }) =>
    viewOf(ctx.rt, await cancelExport({ em: ctx.em, queues: ctx.rt.queues, bus: ctx.rt.bus, dataDir: ctx.rt.config.DATA_DIR }, ctx.workspace.id, input.exportId, ctx.user.id))),

  retry: workspaceProcedure('admin').input(exportIdInput).mutation(async ({ ctx, input }) =>
    viewOf(ctx.rt, await retryExport({ em: ctx.em, queues: ctx.rt.queues, bus: ctx.rt.bus }, ctx.workspace.id, input.exportId, ctx.user.id))),

  /** Each export of the workspace as it changes (progress, completion, failure). */
  events: workspaceProcedure('admin').input(exportEventsInput).subscription(({ ctx, signal }) =>
    guardSubscription(ctx, 'admin', signal, (s, scope) => exportEvents(scope.rt, scope.workspaceId, s))),
});
