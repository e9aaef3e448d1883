// Rule changes announced on the bus, so every server's on-arrival evaluator (on-arrival.ts) reads a
// workspace's rules again at once instead of when its cache expires.
import type { Bus } from '../bus/bus.ts';

export const ALERT_RULES_CHANNEL = 'alert-rules';

/** Best effort (pub/sub is at-most-once): evaluators also re-read rules every few seconds. */
export async function announceAlertRulesChanged(bus: Bus, workspaceId: string): Promise<void> {
  await bus.publish(ALERT_RULES_CHANNEL, { workspaceId });
}
