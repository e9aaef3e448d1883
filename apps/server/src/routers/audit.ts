// audit.list: the workspace's audit log, newest first (admins only).
import { auditListInput } from '@tandem/schema';
import { listAudit } from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';

export const auditRouter = router({
  list: workspaceProcedure('admin').input(auditListInput).query(({ ctx, input }) =>
    listAudit(ctx.em, ctx.workspace.id, input.cursor, input.limit)),
});
