// The one wrapper around a tRPC WebSocket subscription: (re)subscribes when its input changes,
// unsubscribes on cleanup, and says whether the stream is live — for a "reconnecting" banner.
import { createEffect, createSignal, on, onCleanup, type Accessor } from 'solid-js';

export type ConnectionState = 'idle' | 'connecting' | 'live' | 'reconnecting';

/** What a subscribe call receives; the shape of tRPC's subscription callbacks that we use. */
export interface SubscriptionObserver<TData> {
  onStarted: () => void;
  onData: (data: TData) => void;
  onError: (error: unknown) => void;
  onConnectionStateChange: (change: { state: 'idle' | 'connecting' | 'pending' }) => void;
}

export interface SubscriptionOptions<TInput, TData> {
  /** The subscription's input; null or undefined means "not subscribed". A new value resubscribes. */
  input: Accessor<TInput | null | undefined>;
  subscribe: (input: TInput, observer: SubscriptionObserver<TData>) => { unsubscribe: () => void };
  onData: (data: TData) => void;
  onError?: (error: unknown) => void;
}

export function createSubscription<TInput, TData>(options: SubscriptionOptions<TInput, TData>) {
  const [state, setState] = createSignal<ConnectionState>('idle');
  const [error, setError] = createSignal<unknown>(null);

  createEffect(
    on(options.input, (input) => {
      if (input == null) {
        setState('idle');
        return;
      }
      let everLive = false;
      setState('connecting');
      setError(null);
      const live = () => {
        everLive = true;
        setState('live');
      };
      const subscription = options.subscribe(input, {
        onStarted: live,
        onData: (data) => {
          if (state() !== 'live') live();
          options.onData(data);
        },
        onError: (cause) => {
          setError(cause);
          setState('idle');
          options.onError?.(cause);
        },
        onConnectionStateChange: (change) => {
          if (change.state === 'connecting') setState(everLive ? 'reconnecting' : 'connecting');
        },
      });
      onCleanup(() => subscription.unsubscribe());
    }),
  );

  return { state, error };
}
