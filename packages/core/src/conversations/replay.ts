// conversation.replay: a stored session on one timeline — its events as they were written (with
// their commit times) and the metric series of the agents it discussed over its span. Built only
// from rows that exist anyway (conversation_events, agents, samples/rollups): nothing is recorded
// for it. Bounded: at most MAX_ENTRIES events and one chart of a few hundred points per metric.
import type { EntityManager } from '@mikro-orm/postgresql';
import { METRIC_NAMES, type Aggregate, type ConversationEvent, type MetricName, type MetricsQueryOutput } from '@tandem/schema';
import { Conversation } from '../entities/conversation.ts';
import { queryMetrics } from '../metric-queries/query.ts';
import { MINUTE } from '../metric-queries/query-plan.ts';

/** Events a replay carries; past it the timeline stops and says so. */
export const REPLAY_MAX_ENTRIES = 3000;
/** Rows read at most (deltas are coalesced before the cap applies, so more than MAX_ENTRIES are read). */
const READ_LIMIT = 20_000;
/** When over the cap, a reply's text deltas are merged into steps this long (its growth stays visible). */
const COALESCE_MS = 1000;
/** A tool result larger than this (JSON characters) has its long lists cut, then is left out. */
const MAX_RESULT_CHARS = 16_000;
const MAX_LIST_ROWS = 100;
/** Charted agents and metrics: enough for the agents an incident is about, small enough to draw. */
export const REPLAY_MAX_AGENTS = 6;
export const REPLAY_MAX_METRICS = 4;
/**
 * Chart width the step is chosen for (about one bucket per 2 px): ≤ ~120 points per series, so
 * agents that report every few seconds still draw lines over a short session's 20 minutes.
 */
const CHART_WIDTH = 240;

/** The aggregate a replay charts each metric with: the tail for latency, totals for counts, averages for gauges and ratios. */
const CHART_AGG: Record<MetricName, Aggregate> = {
  latency_ms: 'p95', tokens_in: 'sum', tokens_out: 'sum', tokens: 'sum', cost_usd: 'sum', requests: 'sum', errors: 'sum',
  cpu_pct: 'avg', gpu_pct: 'avg', memory_mb: 'avg', throughput: 'avg', error_rate: 'avg',
};

export interface ReplayEntry {
  seq: number;
  /** When the event's row was written (epoch ms). */
  at: number;
  event: ConversationEvent;
}

export interface ReplayChart {
  metric: MetricName;
  agg: Aggregate;
  stepMs: number;
  source: MetricsQueryOutput['source'];
  /** Bucket starts, epoch seconds (uPlot's x). */
  x: number[];
  series: { agentId: string; agentName: string; values: (number | null)[] }[];
}

export interface Replay {
  conversation: { id: string; title: string; createdAt: string };
  /** First and last entry (epoch ms); null when there is nothing to replay. */
  span: { from: number; to: number } | null;
  entries: ReplayEntry[];
  /** Set when the session had more events than a replay carries: it stops at `at`. */
  truncated: { omittedEvents: number; at: number } | null;
  /** Range the charts cover: the span with a margin either side. */
  chartRange: { from: number; to: number } | null;
  charts: ReplayChart[];
}

type Row = { seq: number; at: number | string; payload: ConversationEvent };

/** Delta runs of one message merged into steps of COALESCE_MS; a `replace` delta starts a new step. */
export function coalesceDeltas(entries: ReplayEntry[], stepMs = COALESCE_MS): ReplayEntry[] {
  const out: ReplayEntry[] = [];
  for (const entry of entries) {
    const last = out[out.length - 1];
    const e = entry.event;
    if (last && e.type === 'message.delta' && !e.replace && last.event.type === 'message.delta'
      && last.event.messageId === e.messageId && entry.at - last.at < stepMs) {
      out[out.length - 1] = { ...last, event: { ...last.event, text: last.event.text + e.text } };
    } else out.push(entry);
  }
  return out;
}

/** A tool result small enough to ship: long lists cut to MAX_LIST_ROWS, else a note in its place. */
function boundedResult(result: unknown): unknown {
  const size = (v: unknown) => JSON.stringify(v ?? null).length;
  if (size(result) <= MAX_RESULT_CHARS) return result;
  if (result && typeof result === 'object' && !Array.isArray(result)) {
    const cut = Object.fromEntries(Object.entries(result).map(([k, v]) => [k, Array.isArray(v) ? v.slice(0, MAX_LIST_ROWS) : v]));
    if (size(cut) <= MAX_RESULT_CHARS) return cut;
  } else if (Array.isArray(result) && size(result.slice(0, MAX_LIST_ROWS)) <= MAX_RESULT_CHARS) return result.slice(0, MAX_LIST_ROWS);
  return { omitted: `result too large to replay (${Math.round(size(result) / 1024)} KB)` };
}

const isMetric = (v: unknown): v is MetricName => typeof v === 'string' && (METRIC_NAMES as readonly string[]).includes(v);
const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** An agent reference (name or id) and the metric it was discussed with. */
interface Mention { ref: string; metric: MetricName | undefined }

/**
 * Agents the session discussed: those query_agent_metrics was asked about (its arguments, and the
 * agents its result covered) and those a message's metricRef names (a question asked from a chart,
 * an alert post). Unknown event types and roles are ignored, not refused.
 */
export function mentionsOf(entries: readonly ReplayEntry[]): Mention[] {
  const mentions: Mention[] = [];
  for (const { event } of entries) {
    if (event.type === 'tool.finished' && event.name === 'query_agent_metrics' && !event.error) {
      const args = asRecord(event.args);
      const result = asRecord(event.result);
      const metric = isMetric(result.metric) ? result.metric : isMetric(args.metric) ? args.metric : undefined;
      if (typeof args.agent === 'string') mentions.push({ ref: args.agent, metric });
      if (Array.isArray(result.agents))
        for (const name of result.agents) if (typeof name === 'string') mentions.push({ ref: name, metric });
    } else if (event.type === 'message.created') {
      // Messages stored before metricRef existed have none.
      const ref = asRecord(asRecord(event.message).metricRef);
      if (typeof ref.agentId === 'string') mentions.push({ ref: ref.agentId, metric: isMetric(ref.metric) ? ref.metric : undefined });
    }
  }
  return mentions;
}

/** The conversation's events, oldest first, bounded; tool results cut to size. */
async function readTimeline(em: EntityManager, conversationId: string) {
  const rows = await em.execute<Row[]>(
    `select seq, (extract(epoch from created_at) * 1000)::float8 as at, payload
       from conversation_events where conversation_id = ? order by seq limit ?`,
    [conversationId, READ_LIMIT + 1],
  );
  const readAll = rows.length <= READ_LIMIT;
  let entries: ReplayEntry[] = rows.slice(0, READ_LIMIT).map((r) => ({ seq: r.seq, at: Math.round(Number(r.at)), event: r.payload }));
  if (entries.length > REPLAY_MAX_ENTRIES) entries = coalesceDeltas(entries);
  let truncated: Replay['truncated'] = null;
  if (entries.length > REPLAY_MAX_ENTRIES || !readAll) {
    const kept = entries.slice(0, REPLAY_MAX_ENTRIES);
    const lastKept = kept[kept.length - 1]!;
    const [{ omitted } = { omitted: 0 }] = await em.execute<{ omitted: number }[]>(
      'select count(*)::int as omitted from conversation_events where conversation_id = ? and seq > ?', [conversationId, lastKept.seq]);
    truncated = { omittedEvents: omitted, at: lastKept.at };
    entries = kept;
  }
  for (const entry of entries)
    if (entry.event.type === 'tool.finished' && entry.event.result !== undefined)
      entry.event = { ...entry.event, result: boundedResult(entry.event.result) };
  return { entries, truncated };
}

/** Agents of the workspace among the references (names or ids), in order of first mention. */
async function resolveAgents(em: EntityManager, workspaceId: string, refs: string[]) {
  if (!refs.length) return new Map<string, { id: string; name: string }>();
  const rows = await em.execute<{ id: string; name: string }[]>(
    `select id, name from agents
      where workspace_id = ? and (name in (select jsonb_array_elements_text(?::jsonb)) or id::text in (select jsonb_array_elements_text(?::jsonb)))`,
    [workspaceId, JSON.stringify(refs), JSON.stringify(refs)],
  );
  const byRef = new Map<string, { id: string; name: string }>();
  for (const row of rows) {
    byRef.set(row.id, row);
    byRef.set(row.name, row);
  }
  return byRef;
}

/** The whole replay of a conversation the caller may view (the procedure checked its workspace). */
export async function replayConversation(
  em: EntityManager, conversationId: string, env: { rawRetentionDays: number; now?: number },
): Promise<Replay> {
  const c = await em.findOneOrFail(Conversation, { id: conversationId });
  const { entries, truncated } = await readTimeline(em, conversationId);
  const first = entries[0];
  const last = entries[entries.length - 1];
  const base = { conversation: { id: c.id, title: c.title, createdAt: c.createdAt.toISOString() }, entries, truncated };
  if (!first || !last) return { ...base, span: null, chartRange: null, charts: [] };

  const span = { from: first.at, to: last.at };
  // Margins show what led up to the session (an incident starts before anyone asks) and what followed.
  const length = span.to - span.from;
  const chartRange = { from: Math.max(0, span.from - Math.max(15 * MINUTE, Math.round(length * 0.2))), to: span.to + Math.max(5 * MINUTE, Math.round(length * 0.1)) };

  const mentions = mentionsOf(entries);
  const agents = await resolveAgents(em, c.workspaceId, [...new Set(mentions.map((m) => m.ref))]);
  // Metric → agents asked about with it, both in order of first mention.
  const wanted = new Map<MetricName, string[]>();
  const charted = new Set<string>();
  for (const m of mentions) {
    const agent = agents.get(m.ref);
    if (!agent) continue; // renamed or removed since: nothing to chart
    if (!charted.has(agent.id) && charted.size >= REPLAY_MAX_AGENTS) continue;
    charted.add(agent.id);
    const metric = m.metric ?? 'latency_ms';
    if (!wanted.has(metric) && wanted.size >= REPLAY_MAX_METRICS) continue;
    const ids = wanted.get(metric) ?? [];
    if (!ids.includes(agent.id)) ids.push(agent.id);
    wanted.set(metric, ids);
  }

  const charts: ReplayChart[] = [];
  for (const [metric, agentIds] of wanted) {
    const agg = CHART_AGG[metric];
    const answer = await queryMetrics(
      em, c.workspaceId,
      { workspaceId: c.workspaceId, agentIds, metrics: [{ name: metric, agg }], from: chartRange.from, to: chartRange.to, width: CHART_WIDTH },
      env,
    );
    charts.push({
      metric, agg, stepMs: answer.stepMs, source: answer.source, x: answer.x,
      series: answer.series.map((s) => ({ agentId: s.agentId, agentName: s.agentName, values: s.values })),
    });
  }
  return { ...base, span, chartRange, charts };
}
