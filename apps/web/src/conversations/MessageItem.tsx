// One message of a conversation: a person's question (with its place in the queue) or the
// assistant's reply (streaming caret, Stop, tool-call cards, final figures).
import { useParams } from '@solidjs/router';
import { For, Match, Show, Switch } from 'solid-js';
import type { MessageDto } from '@tandem/schema';
import { formatDateTime } from '../time.ts';
import { Markdown } from './Markdown.tsx';
import { MetricRefCard } from './MetricRefCard.tsx';
import { AlertPost } from './AlertPost.tsx';
import { ToolCallCard } from './ToolCallCard.tsx';
import type { RunState, ToolCall } from './conversationState.ts';

const shortTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

function timeOf(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : shortTime.format(date);
}

export interface MessageItemProps {
  message: MessageDto;
  run: RunState | undefined;
  tools: ToolCall[];
  /** For a reply whose model got the conversation's oldest messages as a summary: how many. */
  summarised?: number | undefined;
  /** 1-based place among queued questions, for a queued question. */
  queuePosition: number | undefined;
  isMine: boolean;
  canWrite: boolean;
  onCancel: (runId: string) => void;
  cancelling: boolean;
}

const endedLabels: Record<string, string> = {
  error: 'The assistant could not answer',
  cancelled: 'Stopped',
  timeout: 'Timed out',
};

export function MessageItem(props: MessageItemProps) {
  return (
    <Switch fallback={<QuestionItem {...props} />}>
      <Match when={props.message.role === 'alert'}>
        <AlertPost message={props.message} canWrite={props.canWrite} />
      </Match>
      <Match when={props.message.role === 'assistant'}>
        <ReplyItem {...props} />
      </Match>
    </Switch>
  );
}

function QuestionItem(props: MessageItemProps) {
  const withdrawn = () => props.run && props.run.status === 'cancelled' && props.run.questionMessageId === props.message.id;
  return (
    <article
      class="message message--user"
      classList={{ 'message--mine': props.isMine }}
      data-testid="message-user"
      data-message-id={props.message.id}
      aria-label={`Question from ${props.message.author?.name ?? 'someone'}`}
    >
      <header class="message__meta">
        <span class="message__author">{props.message.author?.name ?? 'Deleted user'}</span>
        <time datetime={props.message.createdAt} title={formatDateTime(props.message.createdAt)}>
          {timeOf(props.message.createdAt)}
        </time>
      </header>
      <div class="message__bubble">{props.message.content}</div>
      <AttachedRange message={props.message} />
      <Switch>
        <Match when={props.run?.status === 'queued' && props.run}>
          <div class="message__queue" data-testid="queued-question">
            <span class="pill pill--waiting">
              Queued{props.queuePosition ? ` · #${props.queuePosition} in line` : ''}
            </span>
            <Show when={props.isMine && props.canWrite && props.message.runId}>
              {(runId) => (
                <button
                  class="button button--ghost button--small button--danger-text"
                  type="button"
                  disabled={props.cancelling}
                  onClick={() => props.onCancel(runId())}
                >
                  Withdraw
                </button>
              )}
            </Show>
          </div>
        </Match>
        <Match when={withdrawn() && props.run?.reason}>
          <p class="message__note">Withdrawn · {props.run?.reason}</p>
        </Match>
      </Switch>
    </article>
  );
}

/** The chart range a message is about (a selection asked about, an alert's window). Older events carry no field. */
function AttachedRange(props: { message: MessageDto }) {
  const params = useParams();
  return (
    <Show when={props.message.metricRef}>
      {(ref) => <MetricRefCard workspaceId={params.workspaceId ?? ''} metricRef={ref()} live={props.message.role === 'assistant'} />}
    </Show>
  );
}

function ReplyItem(props: MessageItemProps) {
  const streaming = () => props.message.status === 'streaming';
  const running = () => streaming() && (props.run?.status === 'running' || props.run === undefined);
  return (
    <article
      class="message message--assistant"
      data-testid="message-assistant"
      data-status={props.message.status}
      data-message-id={props.message.id}
      aria-busy={streaming()}
      aria-label="Reply from the assistant"
    >
      <header class="message__meta">
        <span class="assistant-mark" aria-hidden="true">
          ✦
        </span>
        <span class="message__author">Assistant</span>
        <time datetime={props.message.createdAt} title={formatDateTime(props.message.createdAt)}>
          {timeOf(props.message.createdAt)}
        </time>
        <Show when={streaming()}>
          <span class="pill pill--live">Answering…</span>
        </Show>
        <Show when={endedLabels[props.message.status]}>
          {(label) => <span class="pill pill--ended">{label()}</span>}
        </Show>
        <Show when={running() && props.canWrite && props.message.runId}>
          {(runId) => (
            <button
              class="button button--small message__stop"
              type="button"
              data-testid="stop-run"
              disabled={props.cancelling}
              onClick={() => props.onCancel(runId())}
            >
              <span class="stop-square" aria-hidden="true" />
              Stop
            </button>
          )}
        </Show>
      </header>
      <div class="message__body" classList={{ 'message__body--streaming': streaming() }}>
        <Show when={props.message.content || !streaming()} fallback={<span class="muted thinking">Thinking</span>}>
          <Markdown text={props.message.content} />
        </Show>
        <Show when={props.run?.reason && props.message.status !== 'complete'}>
          <p class="message__note">{props.run?.reason}</p>
        </Show>
        <AttachedRange message={props.message} />
        <Show when={props.summarised}>
          {(count) => (
            <p class="message__note" data-testid="context-summarised">
              {`The ${count()} earliest messages of this conversation reached the assistant as a summary, to fit its context.`}
            </p>
          )}
        </Show>
      </div>
      <Show when={props.tools.length > 0}>
        <div class="message__tools">
          <For each={props.tools}>{(call) => <ToolCallCard call={call} />}</For>
        </div>
      </Show>
      <Show when={props.message.status === 'complete' && props.message.latencyMs != null}>
        <footer class="message__footer">
          {`${(Number(props.message.latencyMs) / 1000).toFixed(1)} s`}
          <Show when={props.message.tokens != null}>{` · ${props.message.tokens} tokens`}</Show>
        </footer>
      </Show>
    </article>
  );
}
