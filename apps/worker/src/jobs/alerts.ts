// alerts.evaluate (every 15 s) and alerts.webhook (one delivery, retried by BullMQ with backoff).
import { deliverWebhook, evaluateAlertRules, jobDefinitions, type Runtime } from '@tandem/core';

export function evaluateAlerts(rt: Runtime) {
  return evaluateAlertRules({ em: rt.orm.em.fork(), bus: rt.bus, queues: rt.queues, log: rt.log });
}

export function deliverAlertWebhook(rt: Runtime, payload: { workspaceId: string; seq: number }, attempt: number) {
  const final = attempt >= jobDefinitions['alerts.webhook'].attempts;
  return deliverWebhook(rt.orm.em.fork(), payload, { number: attempt, final }, { allowPrivate: rt.config.WEBHOOK_ALLOW_PRIVATE });
}
