// metrics.live: new points and status changes of a workspace's agents as they are published on the
// bus, batched to at most one push per 250 ms per subscriber. A live tail, not a log.
import { agentsChannel, type Bus } from '@tandem/core';
import type { AgentStatusChange, LivePoint, MetricField, MetricsLiveBatch } from '@tandem/schema';
import { PointFeeds } from './point-feed.ts';

/** At most 4 pushes a second per subscriber. */
export const LIVE_BATCH_MS = 250;
/** At most this many points per push (about 1 MB); a subscriber further behind gets the newest and a `dropped` count. */
export const MAX_LIVE_POINTS = 5000;

/** The live feeds of one server (built by its composition root, services.ts). */
export const createLiveFeeds = (bus: Bus): PointFeeds => new PointFeeds(bus, { intervalMs: LIVE_BATCH_MS, maxPerRead: MAX_LIVE_POINTS });

export interface LiveFilter {
  agentIds?: string[] | undefined;
  metrics?: MetricField[] | undefined;
}

/** The point with only the wanted fields, or null when none is left. Bus messages are shared: never mutated. */
function pickFields(p: LivePoint, fields: MetricField[] | null): LivePoint | null {
  if (!fields) return p;
  const values: LivePoint['values'] = {};
  let any = false;
  for (const f of fields)
    if (p.values[f] !== undefined) {
      values[f] = p.values[f];
      any = true;
    }
  return any ? { agentId: p.agentId, ts: p.ts, values } : null;
}

/** Resolves after `ms`, or at once when `signal` aborts; leaves no listener behind. */
function pauseUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Subscribers given the same points get the same batch object, serialised once by the WebSocket encoder. */
const pointBatches = new WeakMap<LivePoint[], MetricsLiveBatch>();
function pointsOnly(points: LivePoint[]): MetricsLiveBatch {
  let batch = pointBatches.get(points);
  if (!batch) pointBatches.set(points, (batch = { points, statuses: [] }));
  return batch;
}

/**
 * `readStatuses` gives the current status of the covered agents; it runs once the bus listeners
 * are attached, and its answer is the first batch. Nothing is replayed: the first batch says the
 * subscription is live, so the client loads history after it; after a bus outage a batch says
 * `gap` (reload the range) and carries every status again.
 */
export async function* metricsLive(
  feeds: PointFeeds, workspaceId: string, filter: LiveFilter, readStatuses: () => Promise<AgentStatusChange[]>, signal: AbortSignal,
): AsyncGenerator<MetricsLiveBatch> {
  const agents = filter.agentIds ? new Set(filter.agentIds) : null;
  const fields = filter.metrics?.length ? filter.metrics : null;
  const keep = agents || fields ? (p: LivePoint) => (agents && !agents.has(p.agentId) ? null : pickFields(p, fields)) : null;
  const filterKey = JSON.stringify([filter.agentIds ? [...agents!].sort() : null, fields]);
  const statuses = new Map<string, AgentStatusChange>();

  // Listen before reading anything, so no change falls between the snapshot and the first push.
  const { feed, reader, leave } = await feeds.join(workspaceId);
  const offStatuses = await feeds.bus.subscribe(agentsChannel(workspaceId), (msg) => {
    const change = msg as AgentStatusChange;
    if (typeof change?.agentId !== 'string' || (agents && !agents.has(change.agentId))) return;
    statuses.set(change.agentId, change);
    feed.wake(reader);
  }, {
    // Status changes may be lost: send every covered agent's current status again.
    onGap: () => void readStatuses().then((all) => {
      for (const s of all) statuses.set(s.agentId, s);
      feed.wake(reader);
    }, () => undefined),
  }).catch((err: unknown) => {
    leave();
    throw err;
  });
  const onAbort = () => feed.wake(reader);
  signal.addEventListener('abort', onAbort);
  try {
    // Changes announced before this read are persisted, so the snapshot has them (or newer).
    statuses.clear();
    const snapshot = await readStatuses();
    let last = Date.now();
    yield { points: [], statuses: snapshot };
    while (!signal.aborted) {
      if (!feed.hasNews(reader) && !statuses.size && !reader.gap) {
        await feed.next(reader);
        continue;
      }
      const wait = last + LIVE_BATCH_MS - Date.now();
      if (wait > 0) await pauseUnlessAborted(wait, signal);
      if (signal.aborted) break;
      const { points, dropped } = feed.read(reader, keep, filterKey);
      const gap = reader.gap;
      reader.gap = false;
      if (!points.length && !statuses.size && !dropped && !gap) continue; // only other agents' points
      const batch = !statuses.size && !dropped && !gap
        ? pointsOnly(points)
        : { points, statuses: [...statuses.values()], ...(dropped ? { dropped } : {}), ...(gap ? { gap } : {}) };
      statuses.clear();
      // Paced by the feed's ticks (already an interval apart) rather than by when this push went
      // out: timed from the push, a subscriber slowed by a busy event loop would drift out of
      // step with the ticks, wait longer each time, and lose the batch it shares with the others.
      last = points.length ? Math.max(feed.lastTick, last + LIVE_BATCH_MS) : Date.now();
      yield batch;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    leave();
    offStatuses();
  }
}
