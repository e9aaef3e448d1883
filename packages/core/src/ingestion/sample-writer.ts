// The write path of ingestion: validated samples are queued and concurrent requests are
// coalesced into one write (COPY or a multi-row insert, sample-insert.ts).
import type { Logger } from 'pino';
import { METRIC_FIELDS, type LivePoint, type MetricSample } from '@tandem/schema';
import { isDatabaseUnavailable, type Orm } from '../database/orm.ts';
import type { Bus } from '../bus/bus.ts';
import { AppError } from '../errors.ts';
import { AgentRegistry, type AgentName } from './agent-registry.ts';
import { ensureMetricPartitions, isMissingPartition } from '../metric-storage/partitions.ts';
import { withConnection } from './raw-connection.ts';
import { writeSamples } from './sample-insert.ts';
import { QueueShares } from './queue-shares.ts';

export type IngestSample = MetricSample & { agent: string };

/** One LivePoint per committed sample is published here after the commit (MetricsBusMessage). */
export const metricsChannel = (workspaceId: string) => `metrics:${workspaceId}`;

export interface SampleWriterOptions {
  /** Rows queued or being written beyond which new requests are refused (429). */
  maxQueuedRows: number;
  /** A flush carries about this many rows at most (whole requests). */
  flushRows?: number;
  /** How long a request waits for others to share its flush when nothing else is queued. */
  flushDelayMs?: number;
  /** Flushes running at once (each holds a database connection). */
  maxConcurrentFlushes?: number;
  /** Write with COPY FROM STDIN (real PostgreSQL); else a multi-row unnest insert (PGlite). */
  copy: boolean;
  /** WORKSPACE_MAX_AGENTS: a request naming new agents beyond it is refused (CONFLICT), nothing of it stored. */
  maxAgentsPerWorkspace?: number;
}

interface Pending {
  workspaceId: string;
  keyId: string;
  samples: IngestSample[];
  resolve(n: number): void;
  reject(err: unknown): void;
}

/** Array literal of ids for the last_seen_at update (one parameter; knex is not in the way here). */
const idArray = (ids: string[]) => `{${ids.join(',')}}`;

interface Inserted {
  ids: Map<string, string>;
  refused: Map<Pending, string[]>;
}

const tooManyAgents = (max: number, fresh: string[]) => new AppError('CONFLICT',
  `This workspace has reached its limit of ${max} agents (WORKSPACE_MAX_AGENTS); new agent${fresh.length > 1 ? 's' : ''} ` +
  `${fresh.slice(0, 5).map((n) => JSON.stringify(n)).join(', ')}${fresh.length > 5 ? ` and ${fresh.length - 5} more` : ''} refused, nothing of this request stored`,
  { field: 'agent' });

const LAST_SEEN_EVERY_MS = 1000;
const RETRY_AFTER_OVERLOAD_MS = 1000;
const RETRY_AFTER_UNAVAILABLE_MS = 5000;

export class SampleWriter {
  private readonly registry = new AgentRegistry();
  private waiting: Pending[] = [];
  private waitingRows = 0;
  /** Rows queued plus rows being written: what the overload bound counts. */
  private pendingRows = 0;
  private inFlight = 0;
  /** Who holds the pending rows: no key and no workspace may take the whole bound (queue-shares.ts). */
  private readonly shares = { keys: new QueueShares(), workspaces: new QueueShares() };
  private timer: NodeJS.Timeout | null = null;
  private readonly lastSeenWritten = new Map<string, number>();
  private readonly flushRows: number;
  private readonly flushDelayMs: number;
  private readonly maxConcurrentFlushes: number;

  constructor(
    private readonly deps: {
      orm: Orm;
      bus: Bus;
      log: Logger;
      /** Told each workspace's committed points after the commit (on-arrival alert evaluation); must not block. */
      onCommitted?: (workspaceId: string, points: LivePoint[]) => void;
    },
    private readonly opts: SampleWriterOptions,
  ) {
    this.flushRows = opts.flushRows ?? 5000;
    this.flushDelayMs = opts.flushDelayMs ?? 1;
    this.maxConcurrentFlushes = opts.maxConcurrentFlushes ?? 2;
  }

  /** Rows queued or being written: what `maxQueuedRows` bounds (a gauge on /metrics). */
  get backlogRows(): number {
    return this.pendingRows;
  }

  /**
   * Resolves with the number of samples once they are committed, or rejects with the error of the
   * flush that carried them: a flush is one statement or one transaction, so it stores all of its
   * rows or none.
   */
  write(owner: { workspaceId: string; keyId: string }, samples: IngestSample[]): Promise<number> {
    const { workspaceId, keyId } = owner;
    const rows = samples.length;
    const max = this.opts.maxQueuedRows;
    if (!this.shares.keys.admits(keyId, rows, max) || !this.shares.workspaces.admits(workspaceId, rows, max))
      return Promise.reject(new AppError('TOO_MANY_REQUESTS', 'This ingest key or workspace holds its share of the ingestion queue; retry shortly', { retryAfterMs: RETRY_AFTER_OVERLOAD_MS }));
    if (this.pendingRows + rows > max)
      return Promise.reject(new AppError('TOO_MANY_REQUESTS', 'Ingestion is busy; retry shortly', { retryAfterMs: RETRY_AFTER_OVERLOAD_MS }));
    this.shares.keys.add(keyId, rows);
    this.shares.workspaces.add(workspaceId, rows);
    return new Promise<number>((resolve, reject) => {
      this.waiting.push({ workspaceId, keyId, samples, resolve, reject });
      this.waitingRows += rows;
      this.pendingRows += rows;
      if (this.waitingRows >= this.flushRows) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.flushDelayMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.waiting.length && this.inFlight < this.maxConcurrentFlushes) {
      // Whole requests, up to flushRows (at least one, however large).
      let count = 0;
      let rows = 0;
      while (count < this.waiting.length && (count === 0 || rows + this.waiting[count]!.samples.length <= this.flushRows))
        rows += this.waiting[count++]!.samples.length;
      const batch = this.waiting.splice(0, count);
      this.waitingRows -= rows;
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.pendingRows -= rows;
        for (const p of batch) {
          this.shares.keys.add(p.keyId, -p.samples.length);
          this.shares.workspaces.add(p.workspaceId, -p.samples.length);
        }
        // Whatever queued meanwhile has waited long enough: write it now.
        if (this.waiting.length) this.flush();
      });
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    try {
      const { ids, refused } = await this.insertWithPartitions(batch);
      for (const p of batch) {
        const fresh = refused.get(p);
        if (fresh) p.reject(tooManyAgents(this.opts.maxAgentsPerWorkspace!, fresh));
        else p.resolve(p.samples.length);
      }
      this.afterCommit(refused.size ? batch.filter((p) => !refused.has(p)) : batch, ids);
    } catch (err) {
      const failure = isDatabaseUnavailable(err)
        ? new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable; retry shortly', { retryAfterMs: RETRY_AFTER_UNAVAILABLE_MS })
        : err;
      if (failure === err) this.deps.log.error({ err, requests: batch.length }, 'sample flush failed');
      for (const p of batch) p.reject(failure);
    }
  }

  /** A day without its partition (the job has not run yet) is made on the spot, then the flush retried once. */
  private async insertWithPartitions(batch: Pending[]): Promise<Inserted> {
    try {
      return await this.insert(batch);
    } catch (err) {
      if (!isMissingPartition(err)) throw err;
      let from = Infinity;
      let to = -Infinity;
      for (const p of batch) for (const s of p.samples) [from, to] = [Math.min(from, s.ts), Math.max(to, s.ts)];
      await ensureMetricPartitions(this.deps.orm.em.fork(), from, to);
      return this.insert(batch);
    }
  }

  /** Returns the agent id of every name written (key: AgentRegistry.key) and the requests refused for their new agents. */
  private async insert(batch: Pending[]): Promise<Inserted> {
    const names = new Map<string, AgentName>();
    for (const p of batch) for (const s of p.samples) names.set(AgentRegistry.key({ workspaceId: p.workspaceId, name: s.agent }), { workspaceId: p.workspaceId, name: s.agent });
    const ids = new Map<string, string>();
    const unknown: AgentName[] = [];
    for (const [key, agent] of names) {
      const id = this.registry.cached(agent);
      if (id) ids.set(key, id);
      else unknown.push(agent);
    }
    const agentIdOf = (workspaceId: string, name: string) => ids.get(AgentRegistry.key({ workspaceId, name }))!;
    const refused = new Map<Pending, string[]>();
    await withConnection(this.deps.orm, async (conn) => {
      // The common case is one statement, so it commits on its own, with no BEGIN/COMMIT round trips.
      if (!unknown.length) return writeSamples(conn, batch, agentIdOf, { copy: this.opts.copy, inTransaction: false });
      // New agents commit with their samples, or not at all.
      await conn.transaction(async () => {
        refused.clear(); // a retried flush decides again
        let admitted = batch;
        let register = unknown;
        if (this.opts.maxAgentsPerWorkspace !== undefined) {
          const asked = batch.map((p) => ({
            workspaceId: p.workspaceId,
            names: [...new Set(p.samples.map((s) => s.agent))].filter((n) => !ids.has(AgentRegistry.key({ workspaceId: p.workspaceId, name: n }))),
          }));
          for (const [i, fresh] of await this.registry.overLimit(conn.query, asked, this.opts.maxAgentsPerWorkspace)) refused.set(batch[i]!, fresh);
          if (refused.size) {
            admitted = batch.filter((p) => !refused.has(p));
            const wanted = new Set(admitted.flatMap((p) => p.samples.map((s) => AgentRegistry.key({ workspaceId: p.workspaceId, name: s.agent }))));
            register = unknown.filter((a) => wanted.has(AgentRegistry.key(a)));
          }
        }
        if (register.length) for (const [k, v] of await this.registry.register(conn.query, register)) ids.set(k, v);
        if (admitted.length) await writeSamples(conn, admitted, agentIdOf, { copy: this.opts.copy, inTransaction: true });
      });
    });
    for (const agent of unknown) {
      const id = ids.get(AgentRegistry.key(agent));
      if (id) this.registry.remember(agent, id);
    }
    return { ids, refused };
  }

  /** Live points on the bus and agents' last_seen_at: both only after the commit, both best-effort. */
  private afterCommit(batch: Pending[], agentIds: Map<string, string>): void {
    const byWorkspace = new Map<string, LivePoint[]>();
    const seen = new Set<string>();
    for (const p of batch) {
      let points = byWorkspace.get(p.workspaceId);
      if (!points) byWorkspace.set(p.workspaceId, (points = []));
      for (const s of p.samples) {
        const agentId = agentIds.get(AgentRegistry.key({ workspaceId: p.workspaceId, name: s.agent }))!;
        seen.add(agentId);
        const values: LivePoint['values'] = {};
        for (const f of METRIC_FIELDS) if (s[f] !== undefined) values[f] = s[f];
        points.push({ agentId, ts: s.ts, values });
      }
    }
    for (const [workspaceId, points] of byWorkspace) {
      this.deps.bus.publish(metricsChannel(workspaceId), { points })
        .catch((err: unknown) => this.deps.log.warn({ err, workspaceId }, 'could not publish live metric points'));
      this.deps.onCommitted?.(workspaceId, points);
    }

    // At most one write per agent per second per instance, off the request's path.
    const now = Date.now();
    const stale = [...seen].filter((id) => now - (this.lastSeenWritten.get(id) ?? 0) >= LAST_SEEN_EVERY_MS);
    if (!stale.length) return;
    for (const id of stale) this.lastSeenWritten.set(id, now);
    if (this.lastSeenWritten.size > 100_000) this.lastSeenWritten.clear();
    withConnection(this.deps.orm, (conn) => conn.query(`update agents set last_seen_at = now() where id = any($1::uuid[])`, [idArray(stale.sort())]))
      .catch((err: unknown) => this.deps.log.warn({ err }, 'could not record agents last seen'));
  }
}
