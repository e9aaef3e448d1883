// usage.assistant: the caller's hourly quota and the workspace's month of assistant spend, so the
// composer can say how many questions are left before one is refused.
import { assistantUsageInput } from '@tandem/schema';
import { assistantUsage } from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';

export const usageRouter = router({
  assistant: workspaceProcedure('viewer').input(assistantUsageInput).query(({ ctx }) =>
    assistantUsage(ctx.em, { workspaceId: ctx.workspace.id, userId: ctx.user.id }, {
      perUser: ctx.rt.config.ASSISTANT_RATE_LIMIT_PER_HOUR,
      perWorkspace: ctx.rt.config.ASSISTANT_WORKSPACE_LIMIT_PER_HOUR,
      perDeployment: ctx.rt.config.ASSISTANT_MAX_RUNS_PER_HOUR,
    })),
});
