// The shapes the Metrics pages work with, inferred from the routers (AppRouter) where tRPC can,
// from @tandem/schema for what arrives through subscriptions.
import type { Aggregate, AlertEvent, LivePoint, MetricName, MetricsLiveBatch } from '@tandem/schema';
import type { trpc } from '../trpc.ts';

export type { Aggregate, AlertEvent, LivePoint, MetricName, MetricsLiveBatch };
export type Agent = Awaited<ReturnType<typeof trpc.agent.list.query>>[number];
export type AgentStatus = Agent['status'];
export type AgentUpdate = Parameters<typeof trpc.agent.update.mutate>[0];
export type MetricsQueryOutput = Awaited<ReturnType<typeof trpc.metrics.query.query>>;
export type CostReport = Awaited<ReturnType<typeof trpc.metrics.costs.query>>;
export type DashboardPrefs = Awaited<ReturnType<typeof trpc.dashboard.get.query>>;
export type IngestKey = Awaited<ReturnType<typeof trpc.ingestKey.list.query>>[number];
export type AlertRule = Awaited<ReturnType<typeof trpc.alert.listRules.query>>[number];
export type AlertRuleInput = Parameters<typeof trpc.alert.createRule.mutate>[0];
export type AlertOp = AlertRuleInput['op'];
