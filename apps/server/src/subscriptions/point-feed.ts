// The live points of a workspace, shared by every metrics.live subscriber on this process: one bus
// subscription per workspace, one bounded log, one batch per filter per tick (see PointFeed).
import { metricsChannel, type Bus } from '@tandem/core';
import type { LivePoint, MetricsBusMessage } from '@tandem/schema';

/** One subscriber's place in the log. */
export interface FeedReader {
  /** Sequence number of the next point to read. */
  cursor: number;
  /** Set while the subscriber waits (see PointFeed.next). */
  wake: (() => void) | null;
  /** The bus reconnected since the last read: points may have been lost. */
  gap: boolean;
  /** A reader delivered directly (metrics-live.ts): called at each tick and gap instead of waking it. */
  onTick?: (() => void) | null;
}

export interface FeedOptions {
  /** Ticks are at least this far apart. */
  intervalMs: number;
  /** At most this many points per read; the log keeps twice that. */
  maxPerRead: number;
}

/**
 * Each bus message is appended once to a bounded log, and the log releases what arrived in ticks at
 * most one batch interval apart (the first point after a quiet spell at once). Subscribers in step
 * with the ticks share one batch per filter, which the WebSocket encoder serialises once for all of
 * them. (A bus handler and a batch per subscriber did the same work 1,000 times over at 1,000
 * subscribers in `bench live`.)
 */
export class PointFeed {
  private entries: LivePoint[] = [];
  /** Sequence number of entries[0]. */
  private base = 0;
  /** The last tick released [tickFrom, tickTo). */
  private tickFrom = 0;
  private tickTo = 0;
  /** When the last tick released points (Date.now()). */
  lastTick = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  /** Points of the last tick per filter, for the readers that were at tickFrom. */
  private readonly shared = new Map<string, LivePoint[]>();
  readonly readers = new Set<FeedReader>();
  private readonly waiting = new Set<FeedReader>();
  refs = 0;
  off: Promise<() => void> | null = null;

  constructor(private readonly opts: FeedOptions) {}

  get head(): number {
    return this.base + this.entries.length;
  }

  /** Whether a tick released points the reader has not read. */
  hasNews(r: FeedReader): boolean {
    return this.tickTo > r.cursor;
  }

  append(points: readonly LivePoint[]): void {
    for (const p of points) this.entries.push(p);
    if (this.entries.length > 2 * this.opts.maxPerRead) {
      const cut = this.entries.length - this.opts.maxPerRead;
      this.entries = this.entries.slice(cut);
      this.base += cut;
    }
    if (this.timer) return;
    const wait = this.lastTick + this.opts.intervalMs - Date.now();
    if (wait <= 0) this.tick();
    else this.timer = setTimeout(() => this.tick(), wait);
  }

  private tick(): void {
    this.timer = null;
    this.lastTick = Date.now();
    this.tickFrom = this.tickTo;
    this.tickTo = this.head;
    this.shared.clear();
    for (const r of this.waiting) this.wake(r);
    for (const r of this.readers) r.onTick?.();
  }

  markGap(): void {
    for (const r of this.readers) {
      r.gap = true;
      if (r.onTick) r.onTick();
      else this.wake(r);
    }
  }

  /** Resolves at the next tick or gap, or when `wake(r)` is called. */
  next(r: FeedReader): Promise<void> {
    return new Promise((resolve) => {
      r.wake = resolve;
      this.waiting.add(r);
    });
  }

  wake(r: FeedReader): void {
    const wake = r.wake;
    if (!wake) return;
    r.wake = null;
    this.waiting.delete(r);
    wake();
  }

  /**
   * The released points since the reader's cursor that `keep` keeps (it may return a trimmed
   * copy), at most `maxPerRead` of the newest; `dropped` counts points the reader missed (before
   * `keep`). Readers at the last tick's start with the same `filterKey` get the same array.
   */
  read(r: FeedReader, keep: ((p: LivePoint) => LivePoint | null) | null, filterKey: string): { points: LivePoint[]; dropped: number } {
    const inStep = r.cursor === this.tickFrom && this.tickFrom >= this.base && this.tickTo - this.tickFrom <= this.opts.maxPerRead;
    if (inStep) {
      let points = this.shared.get(filterKey);
      if (!points) this.shared.set(filterKey, (points = this.slice(this.tickFrom, keep)));
      r.cursor = this.tickTo;
      return { points, dropped: 0 };
    }
    let from = Math.max(r.cursor, this.base);
    let dropped = from - r.cursor;
    if (this.tickTo - from > this.opts.maxPerRead) {
      dropped += this.tickTo - from - this.opts.maxPerRead;
      from = this.tickTo - this.opts.maxPerRead;
    }
    r.cursor = Math.max(r.cursor, this.tickTo);
    return { points: from < this.tickTo ? this.slice(from, keep) : [], dropped };
  }

  private slice(from: number, keep: ((p: LivePoint) => LivePoint | null) | null): LivePoint[] {
    const slice = this.entries.slice(from - this.base, this.tickTo - this.base);
    if (!keep) return slice;
    const points: LivePoint[] = [];
    for (const p of slice) {
      const kept = keep(p);
      if (kept) points.push(kept);
    }
    return points;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * The live feeds of one server, by workspace id. Built once per server by the composition root
 * (services.ts): two servers in one process never share a feed by accident.
 */
export class PointFeeds {
  private readonly byWorkspace = new Map<string, PointFeed>();

  constructor(readonly bus: Bus, private readonly opts: FeedOptions) {}

  /**
   * Joins the workspace's feed; resolves once its bus subscription is live, with a reader at the
   * head (only points published from now on) and the function that leaves it.
   */
  async join(workspaceId: string): Promise<{ feed: PointFeed; reader: FeedReader; leave(): void }> {
    const byWorkspace = this.byWorkspace;
    let feed = byWorkspace.get(workspaceId);
    if (!feed) {
      const created = new PointFeed(this.opts);
      byWorkspace.set(workspaceId, (feed = created));
      created.off = this.bus.subscribe(metricsChannel(workspaceId), (msg) => {
        const points = (msg as Partial<MetricsBusMessage> | null)?.points;
        if (Array.isArray(points)) created.append(points);
      }, { onGap: () => created.markGap() });
    }
    const joined = feed;
    joined.refs++; // counted before waiting, so a leave meanwhile does not drop the subscription
    const release = () => {
      if (--joined.refs > 0) return;
      if (byWorkspace.get(workspaceId) === joined) byWorkspace.delete(workspaceId);
      joined.stop();
      joined.off?.then((off) => off(), () => undefined);
    };
    try {
      await joined.off;
    } catch (err) {
      if (byWorkspace.get(workspaceId) === joined) byWorkspace.delete(workspaceId); // the next subscriber tries again
      release();
      throw err;
    }
    const reader: FeedReader = { cursor: joined.head, wake: null, gap: false };
    joined.readers.add(reader);
    return {
      feed: joined,
      reader,
      leave() {
        joined.wake(reader);
        joined.readers.delete(reader);
        release();
      },
    };
  }
}
