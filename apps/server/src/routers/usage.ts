// usage.assistant: the caller's hourly quota and the workspace's month of assistant spend, so the
// composer can say how many questions are left before one is refused.
import { assistantUsageInput } from '@tandem/schema';
import { assistantUsage } from '@tandem/core';
import type { Config } from '@tandem/schema';
import { router, workspaceProcedure } from '../trpc.ts';

/** Who answers, as the configuration says (servers and workers of one deployment share it). */
function assistantLabel(c: Config): string {
  if (c.LLM_PROVIDER === 'openai') return `OpenAI ${c.OPENAI_MODEL}${c.OPENAI_BASE_URL ? ' (OpenAI-compatible server)' : ''}`;
  if (c.LLM_PROVIDER === 'gemini') return `Gemini ${c.GEMINI_MODEL}`;
  return 'the offline assistant';
}

export const usageRouter = router({
  assistant: workspaceProcedure('viewer').input(assistantUsageInput).query(({ ctx }) =>
    assistantUsage(ctx.em, { workspaceId: ctx.workspace.id, userId: ctx.user.id }, {
      perUser: ctx.rt.config.ASSISTANT_RATE_LIMIT_PER_HOUR,
      perWorkspace: ctx.rt.config.ASSISTANT_WORKSPACE_LIMIT_PER_HOUR,
      perDeployment: ctx.rt.config.ASSISTANT_MAX_RUNS_PER_HOUR,
    }, assistantLabel(ctx.rt.config))),
});
