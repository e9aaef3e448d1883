// metrics.query (history for charts), metrics.live (the live tail), metrics.costs (spend for team leads).
import { costQueryInput, metricsLiveInput, metricsQueryInput } from '@tandem/schema';
import { agentStatuses, agentsOfWorkspace, costReport, queryMetrics } from '@tandem/core';
import { expensiveQuery, router, workspaceProcedure } from '../trpc.ts';
import { guardSubscription } from '../subscriptions/auth-watch.ts';
import { metricsLive } from '../subscriptions/metrics-live.ts';

export const metricsRouter = router({
  query: workspaceProcedure('viewer').use(expensiveQuery).input(metricsQueryInput).query(({ ctx, input }) =>
    queryMetrics(ctx.em, ctx.workspace.id, input, { rawRetentionDays: ctx.rt.config.METRICS_RAW_RETENTION_DAYS })),

  /** Not tracked: a live tail. After (re)subscribing, wait for the first batch, then load history with metrics.query. */
  live: workspaceProcedure('viewer').input(metricsLiveInput).subscription(async ({ ctx, input, signal }) => {
    // Refuse another workspace's agents before the subscription starts (the stream reads nothing yet).
    if (input.agentIds) await agentsOfWorkspace(ctx.em, ctx.workspace.id, input.agentIds);
    return guardSubscription(ctx, 'viewer', signal, (s, { rt, services, workspaceId }) =>
      metricsLive(services.liveFeeds, workspaceId, input, () => agentStatuses(rt.orm.em.fork(), workspaceId, input.agentIds), s));
  }),

  costs: workspaceProcedure('viewer').use(expensiveQuery).input(costQueryInput).query(({ ctx, input }) =>
    costReport(ctx.em, ctx.workspace.id, input, { rawRetentionDays: ctx.rt.config.METRICS_RAW_RETENTION_DAYS })),
});
