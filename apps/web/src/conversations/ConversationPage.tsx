// One shared session: everyone in it sees questions, streaming replies, tool calls and charts live.
import { A, useParams } from '@solidjs/router';
import { useQueryClient } from '@tanstack/solid-query';
import { createEffect, createMemo, createSignal, For, Match, on, Show, Switch } from 'solid-js';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { describeError } from '../errors.ts';
import { createWorkspaceAccess } from '../me.ts';
import { Composer } from './Composer.tsx';
import { ConversationTitle } from './ConversationTitle.tsx';
import { createConversationFeed } from './conversationFeed.ts';
import { MessageItem } from './MessageItem.tsx';
import { trpc } from '../trpc.ts';

const SUGGESTIONS = ['Sales by month for the last 12 months', 'Which items are low on stock?', 'Top products by revenue'];

export function ConversationPage() {
  const params = useParams();
  const queryClient = useQueryClient();
  const workspaceId = () => params.workspaceId ?? '';
  const conversationId = () => params.conversationId ?? '';
  const access = createWorkspaceAccess(workspaceId);
  const meId = () => access.me.data?.user.id;
  const canWrite = () => access.role() === 'admin' || access.role() === 'member';
  const feed = createConversationFeed(conversationId, meId);
  const [actionError, setActionError] = createSignal<string | null>(null);
  const [cancelling, setCancelling] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  let scroller: HTMLDivElement | undefined;
  let stickToBottom = true;

  createEffect(on(conversationId, () => void feed.load()));

  const queuePositions = createMemo(() => {
    const positions = new Map<string, number>();
    for (const m of feed.state.messages) {
      if (m.role === 'user' && m.runId && feed.state.runs[m.runId]?.status === 'queued') positions.set(m.id, positions.size + 1);
    }
    return positions;
  });

  const typingNames = () => Object.values(feed.state.typing);
  const typingText = () => {
    const names = typingNames();
    if (names.length === 0) return '';
    if (names.length === 1) return `${names[0]} is typing…`;
    return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are typing…`;
  };

  const blockedReason = () => {
    if (!canWrite()) return 'Viewers can follow this session but not ask questions.';
    if (feed.state.conversation?.archived) return 'This session is archived. Restore it to ask more.';
    return null;
  };

  // Follow the conversation as it grows, unless the reader has scrolled up to look at something.
  const contentSize = () => {
    const last = feed.state.messages[feed.state.messages.length - 1];
    return `${feed.state.messages.length}:${last?.content.length ?? 0}:${last?.status}:${Object.keys(feed.state.tools).length}:${typingNames().length}`;
  };
  createEffect(
    on(contentSize, () => {
      if (scroller && stickToBottom) queueMicrotask(() => scroller && (scroller.scrollTop = scroller.scrollHeight));
    }),
  );

  const cancelRun = async (runId: string) => {
    setCancelling(runId);
    setActionError(null);
    try {
      await trpc.conversation.cancel.mutate({ runId });
    } catch (error) {
      setActionError(describeError(error).message);
    } finally {
      setCancelling(null);
    }
  };

  const setArchived = async (archive: boolean) => {
    setBusy(true);
    setActionError(null);
    try {
      const input = { conversationId: conversationId() };
      const updated = archive ? await trpc.conversation.archive.mutate(input) : await trpc.conversation.restore.mutate(input);
      await queryClient.invalidateQueries({ queryKey: ['conversation.list', workspaceId()] });
      feed.setConversation(updated);
    } catch (error) {
      setActionError(describeError(error).message);
    } finally {
      setBusy(false);
    }
  };

  const rename = async (title: string) => {
    const updated = await trpc.conversation.rename.mutate({ conversationId: conversationId(), title });
    feed.setConversation(updated);
    await queryClient.invalidateQueries({ queryKey: ['conversation.list', workspaceId()] });
  };

  return (
    <div class="page conversation">
      <Show when={feed.connection() === 'reconnecting' || feed.connection() === 'connecting' && !feed.loading()}>
        <div class="banner" role="status" data-testid="connection-banner">
          <span class="banner__dot" aria-hidden="true" />
          {feed.connection() === 'reconnecting' ? 'Connection lost — reconnecting… New messages will appear when it is back.' : 'Connecting to live updates…'}
        </div>
      </Show>
      <Show when={feed.subscriptionError()}>
        {(message) => (
          <div class="banner banner--error" role="alert">
            Live updates stopped: {message()}
            <button class="button button--small" type="button" onClick={() => void feed.load()}>
              Reconnect
            </button>
          </div>
        )}
      </Show>
      <Switch>
        <Match when={feed.loading() && !feed.state.conversation}>
          <div class="card skeleton" aria-busy="true">
            Loading session…
          </div>
        </Match>
        <Match when={feed.loadError() && !feed.state.conversation}>
          <EmptyState icon="alert" title="This session could not be opened" testId="conversation-error">
            <p>{feed.loadError()}</p>
            <div class="row">
              <A class="button" href={`/w/${workspaceId()}/sessions`}>
                Back to sessions
              </A>
              <button class="button button--primary" type="button" onClick={() => void feed.load()}>
                Try again
              </button>
            </div>
          </EmptyState>
        </Match>
        <Match when={feed.state.conversation}>
          {(conversation) => (
            <>
              <header class="conversation__header">
                <A class="conversation__back" href={`/w/${workspaceId()}/sessions`} aria-label="Back to sessions">
                  ← Sessions
                </A>
                <ConversationTitle title={conversation().title} canEdit={canWrite()} onRename={rename} />
                <Show when={conversation().archived}>
                  <span class="tag" data-testid="archived-tag">
                    Archived
                  </span>
                </Show>
                <div class="conversation__actions">
                  <ul class="viewers" aria-label="Viewing now" data-testid="viewers">
                    <For each={feed.state.viewers}>
                      {(viewer) => (
                        <li class="viewers__avatar" title={`${viewer.name} is viewing`} data-testid="viewer">
                          {initialsOf(viewer.name)}
                        </li>
                      )}
                    </For>
                  </ul>
                  <Show when={canWrite()}>
                    <Show
                      when={conversation().archived}
                      fallback={
                        <button class="button button--small" type="button" disabled={busy()} onClick={() => void setArchived(true)}>
                          Archive
                        </button>
                      }
                    >
                      <button class="button button--small" type="button" disabled={busy()} onClick={() => void setArchived(false)}>
                        Restore
                      </button>
                    </Show>
                  </Show>
                </div>
              </header>
              <ErrorNote message={actionError() ?? (feed.state.conversation ? feed.loadError() : null)} />
              <div
                class="conversation__messages"
                ref={scroller}
                data-testid="message-list"
                aria-label="Messages"
                role="log"
                tabindex="0"
                onScroll={(event) => {
                  const el = event.currentTarget;
                  stickToBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
                }}
              >
                <Show when={feed.state.hasMore}>
                  <div class="row row--center">
                    <button
                      class="button button--small"
                      type="button"
                      data-testid="load-earlier"
                      disabled={feed.loadingEarlier()}
                      onClick={() => {
                        stickToBottom = false;
                        void feed.loadEarlier();
                      }}
                    >
                      {feed.loadingEarlier() ? 'Loading…' : 'Load earlier messages'}
                    </button>
                  </div>
                </Show>
                <Show
                  when={feed.state.messages.length > 0}
                  fallback={
                    <div class="conversation__empty" data-testid="conversation-empty">
                      <p class="conversation__empty-title">Ask the offline assistant about your data</p>
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
                  }
                >
                  <For each={feed.state.messages}>
                    {(message) => (
                      <MessageItem
                        message={message}
                        run={message.runId ? feed.state.runs[message.runId] : undefined}
                        tools={(message.role === 'assistant' && message.runId && feed.state.tools[message.runId]) || []}
                        queuePosition={queuePositions().get(message.id)}
                        isMine={message.author?.id === meId()}
                        canWrite={canWrite()}
                        cancelling={cancelling() === message.runId}
                        onCancel={(runId) => void cancelRun(runId)}
                      />
                    )}
                  </For>
                </Show>
              </div>
              <p class="typing" aria-live="polite" data-testid="typing-indicator">
                {typingText()}
              </p>
              <Composer
                conversationId={conversationId()}
                blockedReason={blockedReason()}
                onSent={(message, runId) => {
                  stickToBottom = true;
                  feed.addSent(message, runId);
                }}
              />
            </>
          )}
        </Match>
      </Switch>
    </div>
  );
}

/** "Bea Brook" → "BB": the avatar text of a viewer. */
function initialsOf(name: string): string {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('') || '?';
}
