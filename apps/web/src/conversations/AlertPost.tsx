// A message an alert rule posted into the session ("Tandem alerts"): fired or resolved, the live
// chart of the window that crossed, and "Ask about this", which opens the composer with that range
// attached so the assistant gets the agent, metric and range with the question.
import { A, useParams } from '@solidjs/router';
import { Show } from 'solid-js';
import type { MessageDto } from '@tandem/schema';
import { formatDateTime } from '../time.ts';
import { askHref } from '../metrics/askLink.ts';
import { MetricRefCard } from './MetricRefCard.tsx';
import './alert-post.css';

const shortTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function AlertPost(props: { message: MessageDto; canWrite: boolean }) {
  const params = useParams();
  const fired = () => props.message.content.startsWith('Fired');
  return (
    <article
      class="message message--alert"
      classList={{ 'message--alert-fired': fired() }}
      data-testid="message-alert"
      data-kind={fired() ? 'fired' : 'resolved'}
      data-message-id={props.message.id}
      aria-label="Alert from Tandem alerts"
    >
      <header class="message__meta">
        <span class="alert-post__mark" aria-hidden="true">!</span>
        <span class="message__author">Tandem alerts</span>
        <time datetime={props.message.createdAt} title={formatDateTime(props.message.createdAt)}>
          {shortTime.format(new Date(props.message.createdAt))}
        </time>
        <span class="pill" classList={{ 'alert-post__pill--fired': fired(), 'alert-post__pill--resolved': !fired() }}>
          {fired() ? 'Firing' : 'Resolved'}
        </span>
      </header>
      <div class="alert-post__body">
        <p class="alert-post__text">{props.message.content}</p>
        <Show when={props.message.metricRef}>
          {(ref) => (
            <>
              <MetricRefCard workspaceId={params.workspaceId ?? ''} metricRef={ref()} live />
              <Show when={props.canWrite && params.workspaceId && props.message.conversationId}>
                <A
                  class="button button--small alert-post__ask"
                  data-testid="alert-ask"
                  href={askHref(params.workspaceId ?? '', props.message.conversationId, ref())}
                  replace
                >
                  Ask about this
                </A>
              </Show>
            </>
          )}
        </Show>
      </div>
    </article>
  );
}
