// After an alert event commits: wake alert.events subscribers and hand the event to the rule's
// webhook, at least once (a job per (workspace, seq), retried with backoff by BullMQ).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.ts';
import type { Queues } from '../queue/queues.ts';
import { readAlertEvent, wakeAlertSubscribers } from './event-log.ts';
import type { StoredAlertEvent } from './transitions.ts';
import type { Resolve } from './webhook-destination.ts';
import { postWebhook } from './webhook-request.ts';
import { wakeSubscribers } from '../conversations/events.ts';

export const WEBHOOK_TIMEOUT_MS = 5000;
/** Pending deliveries older than this whose job never got enqueued are enqueued again. */
const REQUEUE_AFTER_MS = 60_000;
const REQUEUE_WITHIN_MS = 24 * 3600_000;

/** One job per event: re-enqueueing it (after a crash, by the sweep) is a no-op in BullMQ. */
export const webhookJobId = (workspaceId: string, seq: number) => `alert-webhook-${workspaceId}-${seq}`;

export async function publishAlertEvents(deps: { bus: Bus; queues: Queues; log?: Logger }, events: StoredAlertEvent[]): Promise<void> {
  for (const e of events) {
    // Both are best effort here: rows are the record, subscribers catch up on the next wake-up
    // and enqueuePendingWebhooks picks up a delivery whose enqueue failed.
    await wakeAlertSubscribers(deps.bus, e.workspaceId, e.seq).catch((err: unknown) => deps.log?.warn({ err }, 'alert wake-up failed'));
    if (e.post) await wakeSubscribers(deps.bus, e.post.conversationId, e.post.lastSeq).catch((err: unknown) => deps.log?.warn({ err }, 'alert post wake-up failed'));
    if (e.hasWebhook)
      await deps.queues.add('alerts.webhook', { workspaceId: e.workspaceId, seq: e.seq }, { jobId: webhookJobId(e.workspaceId, e.seq) })
        .catch((err: unknown) => deps.log?.warn({ err, seq: e.seq }, 'alert webhook not enqueued; the next evaluation retries'));
  }
}

/** Enqueues deliveries still pending after a minute (their enqueue failed, or the job was lost). */
export async function enqueuePendingWebhooks(em: EntityManager, queues: Queues, now: Date): Promise<number> {
  const rows = await em.execute<{ workspace_id: string; seq: number }[]>(
    `select workspace_id, seq from alert_events where webhook_state = 'pending' and created_at < ? and created_at > ? order by created_at limit 500`,
    [new Date(now.getTime() - REQUEUE_AFTER_MS), new Date(now.getTime() - REQUEUE_WITHIN_MS)],
  );
  for (const r of rows) await queues.add('alerts.webhook', { workspaceId: r.workspace_id, seq: r.seq }, { jobId: webhookJobId(r.workspace_id, r.seq) });
  return rows.length;
}

export class WebhookError extends Error {
  override name = 'WebhookError';
}

/**
 * What the event row (and so the rule's admins) learns of a failed attempt: the status, or that
 * the receiver was unreachable. Never why (refused, reset, timed out, no such name, a private
 * address): told apart, those make the webhook a scanner of the deployment's network. The
 * worker logs the detail. Scheduled exports' webhooks (export-schedules/webhook.ts) show the same.
 */
export const shownFailure = (status?: number) => (status === undefined ? 'delivery failed (unreachable)' : `delivery failed (status ${status})`);

/**
 * Delivers one event to its rule's webhook: POST JSON, 5 s timeout, redirects not followed,
 * response body ignored. Anything but 2xx throws (with the detail, for the worker's log), so the
 * job is retried; the outcome of each attempt is recorded on the event row (`final`: no retry
 * follows a failure). Private destinations are refused where the connection is made, like an
 * unreachable receiver, unless `allowPrivate` (webhook-destination.ts). Delivery is at-least-once:
 * receivers dedupe on the X-Tandem-Delivery header.
 */
export async function deliverWebhook(
  em: EntityManager,
  target: { workspaceId: string; seq: number },
  attempt: { number: number; final: boolean },
  opts: { allowPrivate: boolean; resolve?: Resolve; timeoutMs?: number },
): Promise<WebhookOutcome> {
  const [row] = await em.execute<{ webhook_state: string | null; webhook_url: string | null; id: string; name: string; agent_id: string | null; metric: string; agg: string; op: string; threshold: number; window_ms: number }[]>(
    `select e.webhook_state, r.webhook_url, r.id, r.name, r.agent_id, r.metric, r.agg, r.op, r.threshold, r.window_ms
       from alert_events e join alert_rules r on r.id = e.rule_id and r.workspace_id = e.workspace_id
      where e.workspace_id = ? and e.seq = ?`,
    [target.workspaceId, target.seq],
  );
  if (!row?.webhook_url || row.webhook_state !== 'pending') return { delivered: false, skipped: row ? `state ${row.webhook_state}` : 'no such event' };
  const event = (await readAlertEvent(em, target.workspaceId, target.seq))!;
  const body = {
    event,
    workspaceId: target.workspaceId,
    rule: { id: row.id, name: row.name, agentId: row.agent_id, metric: row.metric, agg: row.agg, op: row.op, threshold: row.threshold, windowMs: row.window_ms },
  };
  return attemptWebhook({
    url: row.webhook_url,
    body,
    headers: { 'user-agent': 'Tandem-Alerts/1', 'x-tandem-delivery': `${target.workspaceId}:${target.seq}` },
    final: attempt.final,
    settle: (state, error) => settle(em, target, attempt.number, state, error),
    opts,
  });
}

export type WebhookOutcome = { delivered: boolean; status?: number; skipped?: string };

/**
 * One attempt of a webhook delivery, shared by alert events and scheduled exports' runs: refuses
 * anything but http(s) (the schemas only accept those; this guards rows written some other way),
 * POSTs the JSON body, records the outcome through `settle` and, on anything but 2xx, throws a
 * WebhookError with the detail (for the worker's log) so the job is retried. `settle` gets what
 * admins may see: `shownFailure`, never why.
 */
export async function attemptWebhook(args: {
  url: string;
  body: unknown;
  headers: Record<string, string>;
  final: boolean;
  settle: (state: 'pending' | 'delivered' | 'failed', error: string | null) => Promise<void>;
  opts: { allowPrivate: boolean; resolve?: Resolve; timeoutMs?: number };
}): Promise<WebhookOutcome> {
  const url = new URL(args.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    await args.settle('failed', `refused scheme ${url.protocol}`);
    return { delivered: false, skipped: 'scheme' };
  }
  const answer = await postWebhook({
    url,
    body: JSON.stringify(args.body),
    headers: { 'content-type': 'application/json', ...args.headers },
    timeoutMs: args.opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
    allowPrivate: args.opts.allowPrivate,
    resolve: args.opts.resolve,
  });
  if (answer.kind === 'answered' && answer.status >= 200 && answer.status < 300) {
    await args.settle('delivered', null);
    return { delivered: true, status: answer.status };
  }
  const status = answer.kind === 'answered' ? answer.status : undefined;
  await args.settle(args.final ? 'failed' : 'pending', shownFailure(status));
  throw new WebhookError(`webhook ${url.origin} ${answer.kind === 'answered' ? `answered ${answer.status}` : `${answer.kind}: ${answer.detail}`}`);
}

async function settle(em: EntityManager, target: { workspaceId: string; seq: number }, attempts: number, state: 'pending' | 'delivered' | 'failed', error: string | null): Promise<void> {
  await em.execute(
    `update alert_events set webhook_state = ?, webhook_attempts = ?, webhook_error = ?, webhook_delivered_at = case when ? then now() end
      where workspace_id = ? and seq = ?`,
    [state, attempts, error?.slice(0, 300) ?? null, state === 'delivered', target.workspaceId, target.seq],
  );
}
