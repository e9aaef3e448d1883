// Asking a question: Enter sends, Shift+Enter adds a line. A failed send keeps the text and its
// clientMessageId, so sending again can never ask twice.
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import { createSignal, Show } from 'solid-js';
import type { MessageDto, MetricRef } from '@tandem/schema';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { describeError } from '../errors.ts';
import { trpc } from '../trpc.ts';
import { agentListKey } from '../metrics/agentRoster.ts';
import { METRIC_LABELS } from '../metrics/panels.ts';
import { formatRange } from './MetricRefCard.tsx';

const TYPING_EVERY_MS = 2000;
/** Below this many questions left in the hour, the composer says how many. */
const SHOW_QUOTA_BELOW = 10;
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** "3 of 50 questions left this hour", or when the next one frees; null while there is room. */
function quotaText(usage: { limit: number; remaining: number; resetAt: string | null } | undefined): string | null {
  if (!usage || usage.remaining >= SHOW_QUOTA_BELOW) return null;
  const at = usage.resetAt ? clock.format(new Date(usage.resetAt)) : null;
  if (usage.remaining === 0) return `No questions left this hour${at ? `; the next can be asked at ${at}` : ''}`;
  return `${usage.remaining} of ${usage.limit} questions left this hour${at ? ` (one more frees at ${at})` : ''}`;
}

export function Composer(props: {
  conversationId: string;
  workspaceId: string;
  /** Why asking is not possible here (viewer, archived), or null. */
  blockedReason: string | null;
  /** A chart range to send with the next question ("Ask about this"); removable before sending. */
  attachment?: MetricRef | null;
  onRemoveAttachment?: () => void;
  onSent: (message: MessageDto, runId: string) => void;
}) {
  const [text, setText] = createSignal('');
  const [sending, setSending] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let clientMessageId: string | null = null;
  let lastTypingAt = 0;
  let textarea!: HTMLTextAreaElement;
  const client = useQueryClient();
  const usage = useQuery(() => ({
    queryKey: ['usage.assistant', props.workspaceId],
    queryFn: () => trpc.usage.assistant.query({ workspaceId: props.workspaceId }),
    enabled: props.workspaceId !== '' && props.blockedReason === null,
    staleTime: 30_000,
  }));
  const quota = () => quotaText(usage.data);
  const agents = useQuery(() => ({
    queryKey: agentListKey(props.workspaceId),
    queryFn: () => trpc.agent.list.query({ workspaceId: props.workspaceId }),
    enabled: props.workspaceId !== '' && !!props.attachment,
    staleTime: 60_000,
  }));
  const attachmentText = (ref: MetricRef) =>
    `${agents.data?.find((a) => a.id === ref.agentId)?.name ?? 'Agent'} · ${METRIC_LABELS[ref.metric]} · ${formatRange(ref.from, ref.to)}`;
  const refreshUsage = () => void client.invalidateQueries({ queryKey: ['usage.assistant', props.workspaceId] });

  const announceTyping = () => {
    const now = Date.now();
    if (now - lastTypingAt < TYPING_EVERY_MS) return;
    lastTypingAt = now;
    trpc.conversation.typing.mutate({ conversationId: props.conversationId }).catch(() => undefined);
  };

  const send = async () => {
    const content = text().trim();
    if (!content || sending() || props.blockedReason) return;
    clientMessageId ??= crypto.randomUUID();
    setSending(true);
    setError(null);
    try {
      const metricRef = props.attachment ?? undefined;
      const sent = await trpc.conversation.send.mutate({ conversationId: props.conversationId, content, clientMessageId, metricRef });
      clientMessageId = null;
      setText('');
      // The range went with this question; the next one is asked without it.
      if (metricRef) props.onRemoveAttachment?.();
      props.onSent(sent.message, sent.runId);
    } catch (cause) {
      setError(describeError(cause).message);
    } finally {
      refreshUsage();
      setSending(false);
      textarea.focus();
    }
  };

  return (
    <form
      class="composer"
      aria-label="Ask the assistant"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <ErrorNote message={error()} testId="composer-error" />
      <Show when={props.attachment}>
        {(ref) => (
          <div class="attachment-chip" data-testid="composer-attachment">
            <span aria-hidden="true">◔</span>
            <span class="attachment-chip__text" title="Sent with your question: the assistant looks at this range">
              {attachmentText(ref())}
            </span>
            <button
              class="attachment-chip__remove"
              type="button"
              aria-label="Remove the attached range"
              data-testid="composer-attachment-remove"
              onClick={() => {
                // Another question now: a new id, so a failed send with the range is not resent without it.
                clientMessageId = null;
                props.onRemoveAttachment?.();
              }}
            >
              ×
            </button>
          </div>
        )}
      </Show>
      <div class="composer__box">
        <label for="composer-input" class="visually-hidden">
          Your question
        </label>
        <textarea
          id="composer-input"
          ref={textarea}
          class="composer__input"
          data-testid="composer-input"
          rows={2}
          placeholder={
            props.blockedReason ??
            (props.attachment ? 'Ask about this range — e.g. “what happened here?”' : 'Ask about sales, stock or products — e.g. “top products by revenue”')
          }
          disabled={props.blockedReason !== null}
          value={text()}
          onInput={(event) => {
            // Editing the question makes it a new question with a new id.
            clientMessageId = null;
            setText(event.currentTarget.value);
            if (event.currentTarget.value.trim()) announceTyping();
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              void send();
            }
          }}
        />
        <button
          class="button button--primary composer__send"
          type="submit"
          data-testid="composer-send"
          disabled={props.blockedReason !== null || sending() || !text().trim()}
        >
          {sending() ? 'Sending…' : 'Send'}
        </button>
      </div>
      <Show
        when={props.blockedReason}
        fallback={
          <Show when={quota()} fallback={<p class="composer__hint">Enter to send · Shift+Enter for a new line · answered by {usage.data?.assistant ?? 'the assistant'}</p>}>
            {(text) => (
              <p class="composer__hint composer__hint--quota" data-testid="composer-quota">
                {text()}
              </p>
            )}
          </Show>
        }
      >
        <p class="composer__hint composer__hint--blocked" data-testid="composer-blocked">
          {props.blockedReason}
        </p>
      </Show>
    </form>
  );
}
