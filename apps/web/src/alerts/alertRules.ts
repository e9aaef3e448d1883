// The workspace's alert rules (alert.listRules) and the two changes admins make to them.
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import type { Accessor } from 'solid-js';
import type { AlertRule, AlertRuleInput } from './api.ts';
import { metricFormat } from '../metrics/panels.ts';
import { trpc } from '../trpc.ts';

export function createAlertRules(workspaceId: Accessor<string>) {
  const queryClient = useQueryClient();
  const key = () => ['alert.listRules', workspaceId()] as const;
  const rules = useQuery(() => ({
    queryKey: key(),
    queryFn: () => trpc.alert.listRules.query({ workspaceId: workspaceId() }),
    enabled: workspaceId() !== '',
  }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: key() });
  return {
    rules,
    refresh,
    /** How the values of a rule's events read (deleted rules: unknown). */
    formatOf: (ruleId: string) => {
      const rule = rules.data?.find((r) => r.id === ruleId);
      return rule ? metricFormat(rule.metric) : undefined;
    },
    async create(input: AlertRuleInput): Promise<AlertRule> {
      const rule = await trpc.alert.createRule.mutate(input);
      await refresh();
      return rule;
    },
    async remove(rule: AlertRule): Promise<void> {
      await trpc.alert.deleteRule.mutate({ workspaceId: workspaceId(), ruleId: rule.id });
      queryClient.setQueryData<AlertRule[]>(key(), (list) => list?.filter((r) => r.id !== rule.id));
    },
  };
}
