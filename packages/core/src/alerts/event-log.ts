// The alert event log of a workspace: fired/resolved rows with a gapless per-workspace `seq`
// (the tracked() id of alert.events). The bus message after commit only wakes subscribers.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AlertEvent } from '@tandem/schema';
import type { Bus } from '../bus/bus.ts';

export const alertChannel = (workspaceId: string) => `alerts:${workspaceId}`;

export type NewAlertEvent = Omit<AlertEvent, 'seq'> & { workspaceId: string; hasWebhook: boolean };

/**
 * Appends one event inside the caller's transaction. The upsert on alert_streams takes the
 * workspace's stream row lock until commit, so concurrent appenders get consecutive numbers and
 * a reader never sees seq n + 1 before n is committed.
 */
export async function appendAlertEvent(tx: EntityManager, e: NewAlertEvent): Promise<number> {
  const [row] = await tx.execute<{ last_seq: number }[]>(
    `insert into alert_streams (workspace_id, last_seq) values (?, 1)
     on conflict (workspace_id) do update set last_seq = alert_streams.last_seq + 1 returning last_seq`,
    [e.workspaceId],
  );
  const seq = row!.last_seq;
  await tx.execute(
    `insert into alert_events (workspace_id, seq, rule_id, rule_name, agent_id, agent_name, kind, value, threshold, created_at, webhook_state)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [e.workspaceId, seq, e.ruleId, e.ruleName, e.agentId, e.agentName, e.kind, e.value, e.threshold, e.at, e.hasWebhook ? 'pending' : null],
  );
  return seq;
}

/** Wakes alert.events subscribers on every server instance (after commit). */
export async function wakeAlertSubscribers(bus: Bus, workspaceId: string, seq: number): Promise<void> {
  await bus.publish(alertChannel(workspaceId), { seq });
}

interface EventRow {
  seq: number;
  rule_id: string;
  rule_name: string;
  agent_id: string;
  agent_name: string;
  kind: AlertEvent['kind'];
  value: number | null;
  threshold: number;
  created_at: Date;
}

const toAlertEvent = (r: EventRow): AlertEvent => ({
  seq: r.seq,
  ruleId: r.rule_id,
  ruleName: r.rule_name,
  agentId: r.agent_id,
  agentName: r.agent_name,
  kind: r.kind,
  value: r.value,
  threshold: r.threshold,
  at: new Date(r.created_at).toISOString(),
});

const EVENT_COLUMNS = 'seq, rule_id, rule_name, agent_id, agent_name, kind, value, threshold, created_at';

export async function readAlertEvents(em: EntityManager, workspaceId: string, afterSeq: number, limit = 500): Promise<AlertEvent[]> {
  const rows = await em.execute<EventRow[]>(
    `select ${EVENT_COLUMNS} from alert_events where workspace_id = ? and seq > ? order by seq limit ?`,
    [workspaceId, afterSeq, limit],
  );
  return rows.map(toAlertEvent);
}

export async function readAlertEvent(em: EntityManager, workspaceId: string, seq: number): Promise<AlertEvent | null> {
  const [row] = await em.execute<EventRow[]>(
    `select ${EVENT_COLUMNS} from alert_events where workspace_id = ? and seq = ?`, [workspaceId, seq]);
  return row ? toAlertEvent(row) : null;
}

/** The workspace's last allocated seq (0 before its first alert). */
export async function lastAlertSeq(em: EntityManager, workspaceId: string): Promise<number> {
  const [row] = await em.execute<{ last_seq: number }[]>(`select last_seq from alert_streams where workspace_id = ?`, [workspaceId]);
  return row?.last_seq ?? 0;
}
