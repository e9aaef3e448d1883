// The banner over a conversation while its live updates are not flowing: connecting,
// reconnecting after a lost connection, or stopped by an error (with a Reconnect button).
import { Show } from 'solid-js';
import type { ConnectionState } from '../createSubscription.ts';

export function ConnectionBanner(props: { connection: ConnectionState; loading: boolean; error: string | null; onReconnect: () => void }) {
  // While the snapshot loads, the loading card says enough; a lost connection is always shown.
  const waiting = () => props.connection === 'reconnecting' || (props.connection === 'connecting' && !props.loading);
  return (
    <>
      <Show when={waiting()}>
        <div class="banner" role="status" data-testid="connection-banner">
          <span class="banner__dot" aria-hidden="true" />
          {props.connection === 'reconnecting'
            ? 'Connection lost — reconnecting… New messages will appear when it is back.'
            : 'Connecting to live updates…'}
        </div>
      </Show>
      <Show when={props.error}>
        {(message) => (
          <div class="banner banner--error" role="alert">
            Live updates stopped: {message()}
            <button class="button button--small" type="button" onClick={() => props.onReconnect()}>
              Reconnect
            </button>
          </div>
        )}
      </Show>
    </>
  );
}
