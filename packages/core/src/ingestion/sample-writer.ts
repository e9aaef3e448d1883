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
}

interface Pending {
  workspaceId: string;
  samples: IngestSample[];
  resolve(n: number): void;
  reject(err: unknown): void;
}

/** Array literal of ids for the last_seen_at update (one parameter; knex is not in the way here). */
const idArray = (ids: string[]) => `{${ids.join(',')}}`;

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
  private timer: NodeJS.Timeout | null = null;
  private readonly lastSeenWritten = new Map<string, number>();
  private readonly flushRows: number;
  private readonly flushDelayMs: number;
  private readonly maxConcurrentFlushes: number;

  constructor(
    private readonly deps: { orm: Orm; bus: Bus; log: Logger },
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
  write(workspaceId: string, samples: IngestSample[]): Promise<number> {
    if (this.pendingRows + samples.length > this.opts.maxQueuedRows)
      return Promise.reject(new AppError('TOO_MANY_REQUESTS', 'Ingestion is busy; retry shortly', { retryAfterMs: RETRY_AFTER_OVERLOAD_MS }));
    return new Promise<number>((resolve, reject) => {
      this.waiting.push({ workspaceId, samples, resolve, reject });
      this.waitingRows += samples.length;
      this.pendingRows += samples.length;
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
        // Whatever queued meanwhile has waited long enough: write it now.
        if (this.waiting.length) this.flush();
      });
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    try {
      const agentIds = await this.insertWithPartitions(batch);
      for (const p of batch) p.resolve(p.samples.length);
      this.afterCommit(batch, agentIds);
    } catch (err) {
      const failure = isDatabaseUnavailable(err)
        ? new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable; retry shortly', { retryAfterMs: RETRY_AFTER_UNAVAILABLE_MS })
        : err;
      if (failure === err) this.deps.log.error({ err, requests: batch.length }, 'sample flush failed');
      for (const p of batch) p.reject(failure);
    }
  }

  /** A day without its partition (the job has not run yet) is made on the spot, then the flush retried once. */
  private async insertWithPartitions(batch: Pending[]): Promise<Map<string, string>> {
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

  /** Returns the agent id of every name in the batch (key: AgentRegistry.key). */
  private async insert(batch: Pending[]): Promise<Map<string, string>> {
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
    await withConnection(this.deps.orm, async (conn) => {
      // The common case is one statement, so it commits on its own, with no BEGIN/COMMIT round trips.
      if (!unknown.length) return writeSamples(conn, batch, agentIdOf, { copy: this.opts.copy, inTransaction: false });
      // New agents commit with their samples, or not at all.
      await conn.transaction(async () => {
        for (const [k, v] of await this.registry.register(conn.query, unknown)) ids.set(k, v);
        await writeSamples(conn, batch, agentIdOf, { copy: this.opts.copy, inTransaction: true });
      });
    });
    for (const agent of unknown) this.registry.remember(agent, ids.get(AgentRegistry.key(agent))!);
    return ids;
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
    for (const [workspaceId, points] of byWorkspace)
      this.deps.bus.publish(metricsChannel(workspaceId), { points })
        .catch((err: unknown) => this.deps.log.warn({ err, workspaceId }, 'could not publish live metric points'));

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
