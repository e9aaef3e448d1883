import { mergeRouters, router } from '../trpc.ts';
import { authRouter } from './auth.ts';
import { workspaceRouter } from './workspace.ts';
import { auditRouter } from './audit.ts';
import { conversationRouter } from './conversation.ts';
import { ingestKeyRouter } from './ingest-key.ts';
import { agentRouter } from './agent.ts';
import { metricsRouter } from './metrics.ts';
import { alertRouter } from './alert.ts';
import { dashboardRouter } from './dashboard.ts';
import { retentionRouter } from './retention.ts';
import { taskRouter } from './task.ts';
import { accessTokenRouter } from './access-token.ts';
import { exportRouter } from './export.ts';
import { exportScheduleRouter } from './export-schedule.ts';
import { jobsRouter } from './jobs.ts';
import { usageRouter } from './usage.ts';

export const appRouter = router({
  auth: authRouter,
  workspace: workspaceRouter,
  audit: auditRouter,
  conversation: conversationRouter,
  ingestKey: ingestKeyRouter,
  agent: agentRouter,
  metrics: metricsRouter,
  alert: alertRouter,
  dashboard: dashboardRouter,
  retention: retentionRouter,
  task: taskRouter,
  accessToken: accessTokenRouter,
  export: mergeRouters(exportRouter, exportScheduleRouter),
  jobs: jobsRouter,
  usage: usageRouter,
});

export type AppRouter = typeof appRouter;
