// agent.list (viewer), agent.update (admin): the workspace's AI agents, their status and metadata;
// agent.runMarkers (viewer): the assistant's runs on its own charts.
import { runMarkersInput, updateAgentInput, workspaceIdInput } from '@tandem/schema';
import { listAgents, runMarkers, updateAgent } from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';

export const agentRouter = router({
  list: workspaceProcedure('viewer').input(workspaceIdInput).query(({ ctx }) => listAgents(ctx.em, ctx.workspace.id)),

  /** Owner, model, version, tags and thresholds only; the audit log records what changed. */
  update: workspaceProcedure('admin').input(updateAgentInput).mutation(({ ctx, input }) =>
    updateAgent(ctx.em, ctx.user.id, ctx.workspace.id, input)),

  /** Runs of `tandem-assistant` finished in a range, each linking to the question that caused it (capped). */
  runMarkers: workspaceProcedure('viewer').input(runMarkersInput).query(({ ctx, input }) => runMarkers(ctx.em, ctx.workspace.id, input)),
});
