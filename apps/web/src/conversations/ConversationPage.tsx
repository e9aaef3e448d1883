// One shared session: everyone in it sees questions, streaming replies, tool calls and charts
// live. The page wires the feed to its parts: banner, header, messages, who is typing, composer.
import { A, useLocation, useNavigate, useParams, useSearchParams } from '@solidjs/router';
import { createEffect, createSignal, Match, on, Switch } from 'solid-js';
import { describeError } from '../errors.ts';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { createWorkspaceAccess } from '../me.ts';
import { Composer } from './Composer.tsx';
import { ConnectionBanner } from './ConnectionBanner.tsx';
import { createConversationActions } from './conversationActions.ts';
import { createConversationFeed, PAGE_SIZE } from './conversationFeed.ts';
import { ConversationHeader } from './ConversationHeader.tsx';
import { createFollowScroll } from './followScroll.ts';
import { MessageList } from './MessageList.tsx';
import { TypingIndicator } from './Presence.tsx';
import { parseAsk } from '../metrics/askLink.ts';

/** Pages of older messages a link to a turn may load to find it. */
const LINK_PAGES_MAX = 20;

export function ConversationPage() {
  const params = useParams();
  const workspaceId = () => params.workspaceId ?? '';
  const conversationId = () => params.conversationId ?? '';
  const access = createWorkspaceAccess(workspaceId);
  const meId = () => access.me.data?.user.id;
  const canWrite = () => access.role() === 'admin' || access.role() === 'member';
  const feed = createConversationFeed(conversationId, meId);
  const actions = createConversationActions({ workspaceId, conversationId, feed });
  const typingNames = () => Object.values(feed.state.typing);
  const navigate = useNavigate();
  const [deleteError, setDeleteError] = createSignal<string | null>(null);
  const canDelete = () => access.role() === 'admin' || (canWrite() && feed.state.conversation?.createdBy === meId());

  createEffect(on(conversationId, () => void feed.load()));

  // "Ask about this" from a chart: the range waits in the composer (?ask=…) until sent or removed.
  const [search, setSearch] = useSearchParams();
  const attachment = () => parseAsk(search.ask);

  // What changes the list's height: more messages, a growing reply, tool cards, the typing line.
  const scroll = createFollowScroll(() => {
    const messages = feed.state.messages;
    const last = messages[messages.length - 1];
    return `${messages.length}:${last?.content.length ?? 0}:${last?.status}:${Object.keys(feed.state.tools).length}:${typingNames().length}`;
  });

  // A link to a turn (#message-<id>, from a run marker on a chart): scrolled to and highlighted once
  // it is loaded. A turn older than the loaded messages is fetched page by page (at most
  // LINK_PAGES_MAX pages, so a link to a purged turn cannot walk a long session's history).
  const location = useLocation();
  let highlighted = '';
  let linkPages = 0;
  const [linkMissing, setLinkMissing] = createSignal(false);
  createEffect(on(() => location.hash, () => {
    linkPages = 0;
    setLinkMissing(false);
    // Another link (or none): the turn highlighted before is not the one meant any more.
    for (const element of document.querySelectorAll('.message--highlighted')) element.classList.remove('message--highlighted');
  }));
  createEffect(() => {
    const target = /^#message-([0-9a-f-]{36})$/i.exec(location.hash)?.[1];
    if (!target || feed.state.messages.length === 0 || highlighted === location.hash) return;
    const element = document.querySelector<HTMLElement>(`[data-message-id="${target}"]`);
    if (!element) {
      if (feed.loadingEarlier() || feed.loading()) return; // this effect runs again when the page is in
      if (feed.loadError()) return; // shown above the list; no retry loop through the history
      if (feed.state.hasMore && linkPages < LINK_PAGES_MAX) {
        linkPages++;
        scroll.pause();
        void feed.loadEarlier();
      } else setLinkMissing(true);
      return;
    }
    highlighted = location.hash;
    setLinkMissing(false);
    scroll.pause();
    // After the follow-scroll's own jump to the bottom (a microtask).
    setTimeout(() => {
      element.scrollIntoView({ block: 'center' });
      element.classList.add('message--highlighted');
    }, 0);
  });

  const linkNote = () => {
    if (!linkMissing()) return null;
    return feed.state.hasMore
      ? `The linked turn is more than ${LINK_PAGES_MAX * PAGE_SIZE} messages back; use "Load earlier" to reach it.`
      : 'The linked turn is not in this session any more (deleted, or purged by retention).';
  };

  const blockedReason = () => {
    if (!canWrite()) return 'Viewers can follow this session but not ask questions.';
    if (feed.state.conversation?.archived) return 'This session is archived. Restore it to ask more.';
    return null;
  };

  return (
    <div class="page conversation">
      <ConnectionBanner
        connection={feed.connection()}
        loading={feed.loading()}
        error={feed.subscriptionError()}
        onReconnect={() => void feed.load()}
      />
      <Switch>
        <Match when={feed.deletedBy()}>
          {(who) => (
            <EmptyState icon="alert" title="This session was deleted" testId="conversation-deleted">
              <p>{who()} deleted it for everyone; its messages are gone.</p>
              <A class="button button--primary" href={`/w/${workspaceId()}/sessions`}>
                Back to sessions
              </A>
            </EmptyState>
          )}
        </Match>
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
              <ConversationHeader
                workspaceId={workspaceId()}
                conversation={conversation()}
                viewers={feed.state.viewers}
                usage={feed.state.usage}
                canWrite={canWrite()}
                busy={actions.archiving()}
                onArchive={(archive) => void actions.setArchived(archive)}
                canDelete={canDelete()}
                onDelete={async () => {
                  setDeleteError(null);
                  await actions.remove();
                  navigate(`/w/${workspaceId()}/sessions`);
                }}
                onDeleteError={(cause) => setDeleteError(describeError(cause).message)}
                onRename={actions.rename}
              />
              <ErrorNote message={actions.error() ?? deleteError() ?? feed.loadError() ?? linkNote()} />
              <MessageList
                feed={feed}
                meId={meId()}
                canWrite={canWrite()}
                cancelling={actions.cancelling()}
                onCancel={(runId) => void actions.cancelRun(runId)}
                scroll={scroll}
              />
              <TypingIndicator names={typingNames()} />
              <Composer
                conversationId={conversationId()}
                workspaceId={workspaceId()}
                blockedReason={blockedReason()}
                attachment={attachment()}
                onRemoveAttachment={() => setSearch({ ask: undefined }, { replace: true })}
                onSent={(message, runId) => {
                  scroll.follow();
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
