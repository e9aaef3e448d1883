// Alert rules evaluated as samples arrive: ingestion hands each committed batch here (after the
// commit, off the request's path); every rule × agent it touches is evaluated once per burst by a
// small bounded pool, so a breaching sample's commit becomes an alert event in milliseconds, not
// at the next periodic pass (evaluate.ts, which stays as the safety net).
import type { Logger } from 'pino';
import type { LivePoint, MetricField, MetricName } from '@tandem/schema';
import type { Orm } from '../database/orm.ts';
import type { Bus } from '../bus/bus.ts';
import type { Queues } from '../queue/queues.ts';
import { RULE_COLUMNS, toAlertRule, type AlertRuleRow } from './rules.ts';
import { applyTransition, type AlertRule } from './transitions.ts';
import { publishAlertEvents } from './delivery.ts';
import { ALERT_RULES_CHANNEL } from './rule-changes.ts';

/** The stored fields a metric's window value reads: a sample without any of them cannot move it. */
const FIELDS_OF: Partial<Record<MetricName, readonly MetricField[]>> = {
  tokens: ['tokens_in', 'tokens_out'],
  throughput: ['requests'],
  error_rate: ['requests', 'errors'],
};
const fieldsOf = (metric: MetricName) => FIELDS_OF[metric] ?? [metric as MetricField];

export interface OnArrivalOptions {
  /** Evaluations running at once (each holds a database connection for one short transaction). */
  concurrency?: number;
  /** Rule × agent pairs waiting beyond which new ones are dropped (the periodic pass catches up). */
  maxPending?: number;
  /**
   * How long a workspace's cached rules are used. Changes are also announced on the bus; this
   * bounds how stale a cache gets when such an announcement is lost (pub/sub is at-most-once).
   */
  rulesTtlMs?: number;
}

interface Pair {
  rule: AlertRule;
  agentId: string;
}

interface CachedRules {
  rules: AlertRule[];
  readAt: number;
}

export class AlertsOnArrival {
  private readonly concurrency: number;
  private readonly maxPending: number;
  private readonly rulesTtlMs: number;
  private readonly rules = new Map<string, CachedRules>();
  /** Workspaces whose rules are being read, with the points that arrived meanwhile. */
  private readonly loading = new Map<string, LivePoint[]>();
  /** Pairs waiting, in arrival order; a pair already waiting absorbs later arrivals (coalescing). */
  private readonly pending = new Map<string, Pair>();
  private readonly running = new Set<string>();
  /** Pairs that saw a new arrival while being evaluated: evaluated once more afterwards. */
  private readonly again = new Map<string, Pair>();
  private readonly idle = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;
  private closed = false;
  /** Pairs dropped because the queue was full (a gauge for tests and logs). */
  dropped = 0;

  constructor(
    private readonly deps: { orm: Orm; bus: Bus; queues: Queues; log: Logger },
    opts: OnArrivalOptions = {},
  ) {
    this.concurrency = opts.concurrency ?? 2;
    this.maxPending = opts.maxPending ?? 10_000;
    this.rulesTtlMs = opts.rulesTtlMs ?? 10_000;
    void deps.bus.subscribe(ALERT_RULES_CHANNEL, (m) => {
      const workspaceId = (m as { workspaceId?: unknown }).workspaceId;
      if (typeof workspaceId === 'string') this.rules.delete(workspaceId);
    }, { onGap: () => this.rules.clear() }).then((off) => {
      if (this.closed) off();
      else this.unsubscribe = off;
    }, (err: unknown) => deps.log.warn({ err }, 'alert rule changes not subscribed; rules are re-read every few seconds'));
  }

  /** Called by ingestion after a batch commits: synchronous, cheap, never throws. */
  samplesCommitted(workspaceId: string, points: LivePoint[]): void {
    if (this.closed || !points.length) return;
    const cached = this.rules.get(workspaceId);
    if (cached && Date.now() - cached.readAt < this.rulesTtlMs) {
      this.enqueue(cached.rules, points);
      return;
    }
    const waiting = this.loading.get(workspaceId);
    if (waiting) {
      if (waiting.length < this.maxPending) waiting.push(...points);
      return;
    }
    this.loading.set(workspaceId, [...points]);
    void this.readRules(workspaceId).then((rules) => {
      const arrived = this.loading.get(workspaceId) ?? [];
      this.loading.delete(workspaceId);
      this.enqueue(rules, arrived);
    }, (err: unknown) => {
      this.loading.delete(workspaceId);
      this.deps.log.warn({ err, workspaceId }, 'alert rules not read; the periodic pass evaluates these samples');
    });
  }

  /** Resolves once nothing is waiting, being read or being evaluated (tests; shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size || this.running.size || this.loading.size) await new Promise((r) => setTimeout(r, 5));
  }

  /** Stops taking arrivals and waits for the evaluations under way. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.pending.clear();
    this.again.clear();
    if (this.running.size) await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  private async readRules(workspaceId: string): Promise<AlertRule[]> {
    const rows = await this.deps.orm.em.fork().execute<AlertRuleRow[]>(
      `select ${RULE_COLUMNS} from alert_rules r where r.workspace_id = ? and r.deleted_at is null order by r.id`, [workspaceId]);
    const rules = rows.map(toAlertRule);
    this.rules.set(workspaceId, { rules, readAt: Date.now() });
    if (this.rules.size > 10_000) this.rules.clear(); // bounded memory however many workspaces post
    return rules;
  }

  private enqueue(rules: AlertRule[], points: LivePoint[]): void {
    if (!rules.length) return;
    // Which fields arrived for which agent: a rule is evaluated only for agents whose samples can move it.
    const fields = new Map<string, Set<string>>();
    for (const p of points) {
      let set = fields.get(p.agentId);
      if (!set) fields.set(p.agentId, (set = new Set()));
      for (const f of Object.keys(p.values)) set.add(f);
    }
    for (const rule of rules) {
      const wanted = fieldsOf(rule.metric);
      for (const [agentId, arrived] of fields) {
        if (rule.agentId !== null && rule.agentId !== agentId) continue;
        if (!wanted.some((f) => arrived.has(f))) continue;
        const key = `${rule.id}:${agentId}`;
        if (this.pending.has(key)) continue;
        if (this.running.has(key)) {
          this.again.set(key, { rule, agentId });
          continue;
        }
        if (this.pending.size >= this.maxPending) {
          if (this.dropped++ % 1000 === 0) this.deps.log.warn({ dropped: this.dropped }, 'on-arrival alert evaluation is behind; the periodic pass catches up');
          continue;
        }
        this.pending.set(key, { rule, agentId });
      }
    }
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency && this.pending.size) {
      const [key, pair] = this.pending.entries().next().value as [string, Pair];
      // A pair whose evaluation is running waits in `again` instead (one evaluation per pair at a time).
      this.pending.delete(key);
      this.running.add(key);
      void this.evaluate(pair).finally(() => {
        this.running.delete(key);
        const next = this.again.get(key);
        if (next && !this.closed) {
          this.again.delete(key);
          this.pending.set(key, next);
        }
        if (!this.running.size) {
          for (const done of this.idle) done();
          this.idle.clear();
        }
        this.pump();
      });
    }
  }

  private async evaluate(pair: Pair): Promise<void> {
    try {
      const event = await applyTransition(this.deps.orm.em.fork(), pair.rule, pair.agentId, new Date());
      if (event) await publishAlertEvents(this.deps, [event]);
    } catch (err) {
      this.deps.log.warn({ err, ruleId: pair.rule.id, agentId: pair.agentId }, 'on-arrival alert evaluation failed; the periodic pass retries');
    }
  }
}
