// The shapes the Metrics dashboard works with, inferred from the routers (AppRouter) where tRPC
// can, from @tandem/schema for what arrives through subscriptions.
import type { Aggregate, LivePoint, MetricName, MetricsLiveBatch } from '@tandem/schema';
import type { trpc } from '../trpc.ts';

export type { Aggregate, LivePoint, MetricName, MetricsLiveBatch };
export type Agent = Awaited<ReturnType<typeof trpc.agent.list.query>>[number];
export type AgentStatus = Agent['status'];
export type AgentUpdate = Parameters<typeof trpc.agent.update.mutate>[0];
export type MetricsQueryOutput = Awaited<ReturnType<typeof trpc.metrics.query.query>>;
export type DashboardPrefs = Awaited<ReturnType<typeof trpc.dashboard.get.query>>;
