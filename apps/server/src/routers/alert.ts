// alert.*: rules (admins write, viewers read) and the live fired/resolved stream.
import { alertEventsInput, createAlertRuleInput, deleteAlertRuleInput, workspaceIdInput } from '@tandem/schema';
import { announceAlertRulesChanged, createAlertRule, deleteAlertRule, listAlertRules } from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';
import { guardSubscription } from '../subscriptions/auth-watch.ts';
import { alertEvents } from '../subscriptions/alert-events.ts';

export const alertRouter = router({
  createRule: workspaceProcedure('admin').input(createAlertRuleInput).mutation(async ({ ctx, input }) => {
    const rule = await createAlertRule(ctx.em, ctx.workspace.id, ctx.user.id, input, { maxRules: ctx.rt.config.WORKSPACE_MAX_ALERT_RULES });
    // Every server evaluates the new rule on the next sample it commits, not after its rule cache expires.
    await announceAlertRulesChanged(ctx.rt.bus, ctx.workspace.id);
    return rule;
  }),

  listRules: workspaceProcedure('viewer').input(workspaceIdInput).query(({ ctx }) =>
    listAlertRules(ctx.em, ctx.workspace.id, { showWebhookUrls: ctx.workspace.role === 'admin' })),

  deleteRule: workspaceProcedure('admin').input(deleteAlertRuleInput).mutation(({ ctx, input }) =>
    deleteAlertRule({ em: ctx.em, bus: ctx.rt.bus, queues: ctx.rt.queues, log: ctx.log }, ctx.workspace.id, ctx.user.id, input.ruleId)),

  /** Fired and resolved events as tracked(seq); without lastEventId, the latest 50 first. */
  events: workspaceProcedure('viewer').input(alertEventsInput).subscription(({ ctx, input, signal }) =>
    guardSubscription(ctx, 'viewer', signal, (s, scope) =>
      alertEvents(scope.rt, scope.workspaceId, input.lastEventId, s))),
});
