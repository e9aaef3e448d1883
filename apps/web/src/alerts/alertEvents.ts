// Fired and resolved alert events, live: alert.events gives the latest ones first, then each new
// one as it happens (tracked by seq, so a reconnect resumes without doubles).
import { createSignal, type Accessor } from 'solid-js';
import { createSubscription } from '../createSubscription.ts';
import { describeError } from '../errors.ts';
import type { AlertEvent } from './api.ts';
import { trpc } from '../trpc.ts';

const KEEP = 200;

export function createAlertEvents(workspaceId: Accessor<string>) {
  const [events, setEvents] = createSignal<AlertEvent[]>([]);

  const subscription = createSubscription<{ workspaceId: string }, { id: string; data: AlertEvent }>({
    input: () => (workspaceId() ? { workspaceId: workspaceId() } : null),
    subscribe: (input, observer) => trpc.alert.events.subscribe(input, observer),
    onData: ({ data }) =>
      setEvents((list) => (list.some((e) => e.seq === data.seq) ? list : [data, ...list].sort((a, b) => b.seq - a.seq).slice(0, KEEP))),
  });

  return {
    /** Newest first. */
    events,
    /** False until the stream has started, so "no events" is not claimed too early. */
    started: () => subscription.state() === 'live' || subscription.state() === 'reconnecting',
    state: subscription.state,
    error: () => {
      const error = subscription.error();
      return error ? describeError(error).message : null;
    },
  };
}
