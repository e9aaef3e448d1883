// Asking a question: Enter sends, Shift+Enter adds a line. A failed send keeps the text and its
// clientMessageId, so sending again can never ask twice.
import { createSignal, Show } from 'solid-js';
import type { MessageDto } from '@tandem/schema';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { describeError } from '../errors.ts';
import { trpc } from '../trpc.ts';

const TYPING_EVERY_MS = 2000;

export function Composer(props: {
  conversationId: string;
  /** Why asking is not possible here (viewer, archived), or null. */
  blockedReason: string | null;
  onSent: (message: MessageDto, runId: string) => void;
}) {
  const [text, setText] = createSignal('');
  const [sending, setSending] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let clientMessageId: string | null = null;
  let lastTypingAt = 0;
  let textarea!: HTMLTextAreaElement;

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
      const sent = await trpc.conversation.send.mutate({ conversationId: props.conversationId, content, clientMessageId });
      clientMessageId = null;
      setText('');
      props.onSent(sent.message, sent.runId);
    } catch (cause) {
      setError(describeError(cause).message);
    } finally {
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
          placeholder={props.blockedReason ?? 'Ask about sales, stock or products — e.g. “top products by revenue”'}
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
        fallback={<p class="composer__hint">Enter to send · Shift+Enter for a new line · answered by the offline assistant</p>}
      >
        <p class="composer__hint composer__hint--blocked" data-testid="composer-blocked">
          {props.blockedReason}
        </p>
      </Show>
    </form>
  );
}
