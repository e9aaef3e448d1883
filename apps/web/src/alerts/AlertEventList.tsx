// Recent fired and resolved alert events, newest first, with how long ago they happened.
import { For, Show } from 'solid-js';
import { formatDateTime } from '../time.ts';
import type { AlertEvent } from './api.ts';
import { formatAgo, useNow } from '../metrics/clock.ts';
import { formatCompact } from '../metrics/panels.ts';

/** Events do not say their metric; the caller knows it from the rule. */
type EventFormat = (ruleId: string) => ((value: number) => string) | undefined;

export function AlertEventList(props: { events: AlertEvent[]; showAgent?: boolean; formatOf?: EventFormat }) {
  const now = useNow();
  const format = (event: AlertEvent) => props.formatOf?.(event.ruleId) ?? formatCompact;
  return (
    <ul class="alert-events card card--flush" data-testid="alert-events">
      <For each={props.events}>
        {(event) => (
          <li class="alert-events__item" data-testid="alert-event" data-kind={event.kind}>
            <span class={`alert-kind alert-kind--${event.kind}`}>{event.kind === 'fired' ? 'Fired' : 'Resolved'}</span>
            <span class="alert-events__what">
              <span class="alert-events__rule">{event.ruleName}</span>
              <Show when={props.showAgent ?? true}>
                <span class="muted"> · {event.agentName}</span>
              </Show>
            </span>
            <span class="alert-events__value muted">
              {event.value === null ? 'no data' : format(event)(event.value)} vs {format(event)(event.threshold)}
            </span>
            <time class="alert-events__time muted" datetime={event.at} title={formatDateTime(event.at)}>
              {formatAgo(Date.parse(event.at), now())}
            </time>
          </li>
        )}
      </For>
    </ul>
  );
}
