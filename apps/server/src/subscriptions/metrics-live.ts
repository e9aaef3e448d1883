// metrics.live: new points and status changes of a workspace's agents as they are published on the
// bus, pushed on the workspace feed's ticks (at most one every 250 ms). A live tail, not a log.
import { agentsChannel, type Bus } from '@tandem/core';
import type { AgentStatusChange, LivePoint, MetricField, MetricsLiveBatch } from '@tandem/schema';
import { PointFeeds } from './point-feed.ts';
import { FrameSink, dataFrame, type SharedFrame } from '../ws/direct-delivery.ts';

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

/** Resolves when `signal` aborts; leaves no listener behind. */
const untilAborted = (signal: AbortSignal) => new Promise<void>((resolve) => {
  if (signal.aborted) resolve();
  else signal.addEventListener('abort', () => resolve(), { once: true });
});

/** Subscribers given the same points get the same frame, encoded once (direct-delivery.ts). */
const pointFrames = new WeakMap<LivePoint[], SharedFrame>();
function pointsOnly(points: LivePoint[]): SharedFrame {
  let frame = pointFrames.get(points);
  if (!frame) pointFrames.set(points, (frame = dataFrame({ points, statuses: [] } satisfies MetricsLiveBatch)));
  return frame;
}

/**
 * `readStatuses` gives the current status of the covered agents; it runs once the bus listeners
 * are attached, and its answer is the first batch. Nothing is replayed: the first batch says the
 * subscription is live, so the client loads history after it; after a bus outage a batch says
 * `gap` (reload the range) and carries every status again. After the first batch the subscription
 * hands itself over (direct-delivery.ts): the feed's ticks and status changes write its frames.
 */
export async function* metricsLive(
  feeds: PointFeeds, workspaceId: string, filter: LiveFilter, readStatuses: () => Promise<AgentStatusChange[]>, signal: AbortSignal,
): AsyncGenerator<MetricsLiveBatch> {
  const agents = filter.agentIds ? new Set(filter.agentIds) : null;
  const fields = filter.metrics?.length ? filter.metrics : null;
  const keep = agents || fields ? (p: LivePoint) => (agents && !agents.has(p.agentId) ? null : pickFields(p, fields)) : null;
  const filterKey = JSON.stringify([filter.agentIds ? [...agents!].sort() : null, fields]);
  const statuses = new Map<string, AgentStatusChange>();
  const sink = new FrameSink();
  /** When the last batch went out (Date.now()); a status change waits until an interval after it. */
  let lastPushAt = 0;
  let timer: NodeJS.Timeout | null = null;

  // Listen before reading anything, so no change falls between the snapshot and the first push.
  const { feed, reader, leave } = await feeds.join(workspaceId);
  /** Sends what is pending: the released points this subscriber has not read, and status changes. */
  const push = () => {
    if (!sink.attached || signal.aborted) return;
    if (timer) clearTimeout(timer);
    timer = null;
    const { points, dropped } = feed.read(reader, keep, filterKey);
    const gap = reader.gap;
    reader.gap = false;
    if (!points.length && !statuses.size && !dropped && !gap) return; // only other agents' points
    const frame = !statuses.size && !dropped && !gap
      ? pointsOnly(points)
      : dataFrame({ points, statuses: [...statuses.values()], ...(dropped ? { dropped } : {}), ...(gap ? { gap } : {}) } satisfies MetricsLiveBatch);
    statuses.clear();
    lastPushAt = Date.now();
    sink.write(frame);
  };
  /**
   * Points go out on the feed's ticks, which are already an interval apart, so every subscriber
   * writes in the same tick and shares its frame. A subscriber paced by its own clock instead
   * keeps the phase it subscribed at: in `bench live` the 1,000 subscribers' copies of one tick
   * went out over 210 ms, not 35. A status change between ticks goes out at once when nothing
   * went out for an interval, else with the next tick or an interval after the last batch.
   */
  const pushSoon = () => {
    if (!sink.attached || signal.aborted || timer) return;
    const wait = lastPushAt + LIVE_BATCH_MS - Date.now();
    if (wait <= 0) push();
    else timer = setTimeout(push, wait);
  };
  const offStatuses = await feeds.bus.subscribe(agentsChannel(workspaceId), (msg) => {
    const change = msg as AgentStatusChange;
    if (typeof change?.agentId !== 'string' || (agents && !agents.has(change.agentId))) return;
    statuses.set(change.agentId, change);
    pushSoon();
  }, {
    // Status changes may be lost: send every covered agent's current status again.
    onGap: () => void readStatuses().then((all) => {
      for (const s of all) statuses.set(s.agentId, s);
      pushSoon();
    }, () => undefined),
  }).catch((err: unknown) => {
    leave();
    throw err;
  });
  const onAbort = () => {
    sink.detach(); // before the adapter says `stopped`
    reader.onTick = null;
    if (timer) clearTimeout(timer);
  };
  signal.addEventListener('abort', onAbort);
  try {
    // Changes announced before this read are persisted, so the snapshot has them (or newer).
    statuses.clear();
    const snapshot = await readStatuses();
    lastPushAt = Date.now();
    yield { points: [], statuses: snapshot };
    sink.onAttach = () => {
      reader.onTick = push;
      pushSoon(); // what arrived while the first batch went out
    };
    if (!signal.aborted) yield sink.handOff();
    await untilAborted(signal); // the socket closing never attaches the sink: it ends the same way
  } finally {
    onAbort();
    signal.removeEventListener('abort', onAbort);
    leave();
    offStatuses();
  }
}
