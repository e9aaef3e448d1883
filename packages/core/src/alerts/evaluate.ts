// One evaluation pass (the alerts.evaluate job, every 15 s): every live rule, every agent it
// covers, value over the rule's window → transitions → events, wake-ups and webhook jobs. Rules are
// evaluated as samples arrive (on-arrival.ts); this pass is the safety net: windows that empty or
// change with no new sample (resolve on silence), and arrivals an evaluator dropped or never saw.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.ts';
import type { Queues } from '../queue/queues.ts';
import { windowValues } from './window-value.ts';
import { applyTransition, nextFiring } from './transitions.ts';
import { enqueuePendingWebhooks, publishAlertEvents } from './delivery.ts';
import { RULE_COLUMNS, toAlertRule, type AlertRuleRow } from './rules.ts';

export interface EvaluateDeps {
  em: EntityManager;
  bus: Bus;
  queues: Queues;
  log: Logger;
}

export async function evaluateAlertRules(deps: EvaluateDeps, now = new Date()) {
  const { em } = deps;
  const rules = (await em.execute<AlertRuleRow[]>(`select ${RULE_COLUMNS} from alert_rules r where r.deleted_at is null order by r.id`)).map(toAlertRule);
  let fired = 0;
  let resolved = 0;
  let failedRules = 0;
  for (const rule of rules) {
    try {
      const values = await windowValues(em, rule, now);
      const states = new Map((await em.execute<{ agent_id: string; firing: boolean }[]>(
        `select agent_id, firing from alert_states where rule_id = ?`, [rule.id])).map((s) => [s.agent_id, s.firing]));
      for (const v of values) {
        const firing = states.get(v.agentId) ?? false;
        // Most rule × agent pairs change nothing: decide without a transaction, confirm under the lock.
        if (nextFiring(firing, v.value, rule) === firing) continue;
        const event = await applyTransition(em, rule, v.agentId, now);
        if (!event) continue;
        if (event.kind === 'fired') fired++;
        else resolved++;
        await publishAlertEvents(deps, [event]);
      }
    } catch (err) {
      // One broken rule must not keep the others from being evaluated.
      failedRules++;
      deps.log.error({ err, ruleId: rule.id }, 'alert rule evaluation failed');
    }
  }
  const requeued = await enqueuePendingWebhooks(em, deps.queues, now);
  return { rules: rules.length, fired, resolved, failedRules, requeued };
}
