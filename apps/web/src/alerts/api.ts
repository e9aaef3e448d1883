// The shapes of alert rules and events: rules inferred from the routers (AppRouter), events from
// @tandem/schema, as they arrive through the alert.events subscription.
import type { AlertEvent } from '@tandem/schema';
import type { trpc } from '../trpc.ts';

export type { AlertEvent };
export type AlertRule = Awaited<ReturnType<typeof trpc.alert.listRules.query>>[number];
export type AlertRuleInput = Parameters<typeof trpc.alert.createRule.mutate>[0];
export type AlertOp = AlertRuleInput['op'];
