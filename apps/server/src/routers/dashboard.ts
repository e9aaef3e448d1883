// dashboard.get / dashboard.save: each user's dashboard choices per workspace.
import { saveDashboardPrefsInput, workspaceIdInput } from '@tandem/schema';
import { getDashboardPrefs, saveDashboardPrefs } from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';

export const dashboardRouter = router({
  get: workspaceProcedure('viewer').input(workspaceIdInput).query(({ ctx }) =>
    getDashboardPrefs(ctx.em, ctx.workspace.id, ctx.user.id)),

  /** Viewers too: these are the caller's own choices. Agents of other workspaces are NOT_FOUND. */
  save: workspaceProcedure('viewer').input(saveDashboardPrefsInput).mutation(({ ctx, input }) =>
    saveDashboardPrefs(ctx.em, ctx.workspace.id, ctx.user.id, input.prefs)),
});
