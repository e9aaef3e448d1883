// agent.list (viewer), agent.update (admin): the workspace's AI agents, their status and metadata.
import { updateAgentInput, workspaceIdInput } from '@tandem/schema';
import { listAgents, updateAgent } from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';

export const agentRouter = router({
  list: workspaceProcedure('viewer').input(workspaceIdInput).query(({ ctx }) => listAgents(ctx.em, ctx.workspace.id)),

  /** Owner, model, version, tags and thresholds only; the audit log records what changed. */
  update: workspaceProcedure('admin').input(updateAgentInput).mutation(({ ctx, input }) =>
    updateAgent(ctx.em, ctx.user.id, ctx.workspace.id, input)),
});
