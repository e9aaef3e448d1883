// The one metrics.live subscription of a page, shared by everything on it that moves: the status
// board (statuses, last seen) and the chart feeds (points).
import { createEffect, on, onCleanup, type Accessor } from 'solid-js';
import { createSubscription } from '../createSubscription.ts';
import { describeError } from '../errors.ts';
import type { MetricsLiveBatch } from './api.ts';
import { trpc } from '../trpc.ts';

interface LiveInput {
  workspaceId: string;
  agentIds?: string[];
}

export type LiveMetrics = ReturnType<typeof createLiveMetrics>;

/**
 * Tells its listeners each time the stream goes live — first subscription and every reconnect —
 * because history must be (re)loaded after that moment to have no hole between it and the live points.
 */
export function createLiveMetrics(input: Accessor<LiveInput | null>) {
  const batchListeners = new Set<(batch: MetricsLiveBatch) => void>();
  const liveListeners = new Set<() => void>();
  /** Counts the times the stream went live; a listener compares it with what it loaded at. */
  let liveSince = 0;

  const subscription = createSubscription<LiveInput, MetricsLiveBatch>({
    input,
    subscribe: (value, observer) => trpc.metrics.live.subscribe(value, observer),
    onData: (batch) => {
      for (const listener of batchListeners) listener(batch);
    },
  });

  createEffect(
    on(subscription.state, (state) => {
      if (state !== 'live') return;
      liveSince++;
      for (const listener of liveListeners) listener();
    }),
  );

  return {
    state: subscription.state,
    error: () => {
      const error = subscription.error();
      return error ? describeError(error).message : null;
    },
    /** How many times the stream has gone live so far. */
    generation: () => liveSince,
    /** Calls `listener` with every batch while the calling component lives. */
    onBatch(listener: (batch: MetricsLiveBatch) => void) {
      batchListeners.add(listener);
      onCleanup(() => batchListeners.delete(listener));
    },
    /** Calls `listener` each time the stream goes live (after subscribing, after a reconnect). */
    onLive(listener: () => void) {
      liveListeners.add(listener);
      onCleanup(() => liveListeners.delete(listener));
    },
  };
}
