// The messages of a conversation, oldest first: "Load earlier" on top, suggestions while there
// is nothing yet, then each question and reply with its run, tool calls and place in the queue.
import { createMemo, For, Show } from 'solid-js';
import type { ConversationFeed } from './conversationFeed.ts';
import { queuePositions } from './conversationState.ts';
import type { FollowScroll } from './followScroll.ts';
import { MessageItem } from './MessageItem.tsx';

const SUGGESTIONS = ['Sales by month for the last 12 months', 'Which items are low on stock?', 'Top products by revenue'];

function EmptyConversation() {
  return (
    <div class="conversation__empty" data-testid="conversation-empty">
      <p class="conversation__empty-title">Ask the assistant about your data</p>
      <p class="muted">Everyone in this workspace sees the questions and answers live. Try one of these:</p>
      <ul class="suggestions">
        <For each={SUGGESTIONS}>
          {(suggestion) => (
            <li>
              <code>{suggestion}</code>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}

export function MessageList(props: {
  feed: ConversationFeed;
  meId: string | undefined;
  canWrite: boolean;
  /** The run being stopped, if any. */
  cancelling: string | null;
  onCancel: (runId: string) => void;
  scroll: FollowScroll;
}) {
  const state = () => props.feed.state;
  const positions = createMemo(() => queuePositions(state()));

  return (
    <div
      class="conversation__messages"
      ref={props.scroll.ref}
      data-testid="message-list"
      aria-label="Messages"
      role="log"
      tabindex="0"
      onScroll={(event) => props.scroll.onScroll(event.currentTarget)}
    >
      <Show when={state().hasMore}>
        <div class="row row--center">
          <button
            class="button button--small"
            type="button"
            data-testid="load-earlier"
            disabled={props.feed.loadingEarlier()}
            onClick={() => {
              props.scroll.pause();
              void props.feed.loadEarlier();
            }}
          >
            {props.feed.loadingEarlier() ? 'Loading…' : 'Load earlier messages'}
          </button>
        </div>
      </Show>
      <Show when={state().messages.length > 0} fallback={<EmptyConversation />}>
        <For each={state().messages}>
          {(message) => (
            <MessageItem
              message={message}
              run={message.runId ? state().runs[message.runId] : undefined}
              tools={(message.role === 'assistant' && message.runId && state().tools[message.runId]) || []}
              summarised={state().summarised[message.id]}
              queuePosition={positions().get(message.id)}
              isMine={message.author?.id === props.meId}
              canWrite={props.canWrite}
              cancelling={props.cancelling === message.runId}
              onCancel={props.onCancel}
            />
          )}
        </For>
      </Show>
    </div>
  );
}
