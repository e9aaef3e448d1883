// audit.list: the workspace's audit log, newest first, filtered by actor, action, target and time (admins only).
import { auditListInput } from '@tandem/schema';
import { listAudit } from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';

export const auditRouter = router({
  list: workspaceProcedure('admin').input(auditListInput).query(({ ctx, input }) => {
    const { workspaceId: _w, cursor, limit, ...filter } = input;
    return listAudit(ctx.em, ctx.workspace.id, cursor, limit, filter);
  }),
});
