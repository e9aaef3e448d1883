// Shared analysis sessions (conversations with the assistant) of a workspace: the list, newest
// activity first, with archived ones one switch away.
import { A, useNavigate, useParams } from '@solidjs/router';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/solid-query';
import { createSignal, For, Show } from 'solid-js';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Icon } from '../components/Icon.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { describeError } from '../errors.ts';
import { createWorkspaceAccess } from '../me.ts';
import { formatDateTime, formatRelativeTime } from '../time.ts';
import { trpc } from '../trpc.ts';
import { LoadMore } from '../components/LoadMore.tsx';

export function SessionsPage() {
  const params = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const workspaceId = () => params.workspaceId ?? '';
  const access = createWorkspaceAccess(workspaceId);
  const canWrite = () => access.role() === 'admin' || access.role() === 'member';
  const [archived, setArchived] = createSignal(false);

  const list = useInfiniteQuery(() => ({
    queryKey: ['conversation.list', workspaceId(), archived()] as const,
    queryFn: ({ pageParam }) =>
      trpc.conversation.list.query({ workspaceId: workspaceId(), archived: archived(), cursor: pageParam, limit: 30 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled: workspaceId() !== '' && access.role() !== undefined,
    staleTime: 0,
    refetchOnWindowFocus: true,
  }));
  const items = () => list.data?.pages.flatMap((page) => page.items) ?? [];

  const create = useMutation(() => ({
    mutationFn: () => trpc.conversation.create.mutate({ workspaceId: workspaceId() }),
    onSuccess: async (conversation) => {
      await queryClient.invalidateQueries({ queryKey: ['conversation.list', workspaceId()] });
      navigate(`/w/${workspaceId()}/sessions/${conversation.id}`);
    },
  }));

  const newButton = () => (
    <Show when={canWrite()}>
      <button
        class="button button--primary"
        type="button"
        data-testid="new-session"
        disabled={create.isPending}
        onClick={() => create.mutate()}
      >
        <Icon name="plus" size={16} />
        {create.isPending ? 'Creating…' : 'New session'}
      </button>
    </Show>
  );

  return (
    <div class="page">
      <PageHeader
        title="Sessions"
        description="Ask questions about your data with the assistant, together with your team."
        actions={newButton()}
      />
      <ErrorNote message={create.error ? describeError(create.error).message : null} />
      <div class="tabs tabs--inline" role="group" aria-label="Which sessions">
        <button
          type="button"
          class="tabs__tab"
          classList={{ 'tabs__tab--active': !archived() }}
          aria-pressed={!archived()}
          onClick={() => setArchived(false)}
        >
          Active
        </button>
        <button
          type="button"
          class="tabs__tab"
          classList={{ 'tabs__tab--active': archived() }}
          aria-pressed={archived()}
          data-testid="sessions-archived-toggle"
          onClick={() => setArchived(true)}
        >
          Archived
        </button>
      </div>
      <QueryState
        query={list}
        data={items()}
        loading="Loading sessions…"
        empty={
          <Show
            when={!archived()}
            fallback={
              <EmptyState icon="sessions" title="No archived sessions" testId="sessions-archived-empty">
                <p>Sessions you archive, or that sit idle for a while, are kept here and can be restored.</p>
              </EmptyState>
            }
          >
            <EmptyState icon="sessions" title="No sessions yet" testId="sessions-empty">
              <p>
                A session is a live conversation with the assistant — sales, inventory and product questions answered with
                tables and charts — that everyone in the workspace can follow as it streams.
              </p>
              {newButton()}
            </EmptyState>
          </Show>
        }
      >
        {(sessions) => (
          <>
            <ul class="session-list card card--flush" data-testid="session-list">
              <For each={sessions()}>
                {(item) => (
                  <li>
                    <A class="session-list__item" href={`/w/${workspaceId()}/sessions/${item.id}`} data-testid="session-item">
                      <span class="session-list__icon" aria-hidden="true">
                        <Icon name="sessions" size={18} />
                      </span>
                      <span class="session-list__title">{item.title}</span>
                      <Show when={item.archived}>
                        <span class="tag">Archived</span>
                      </Show>
                      <time class="session-list__time muted" datetime={item.lastActivityAt} title={formatDateTime(item.lastActivityAt)}>
                        {formatRelativeTime(item.lastActivityAt)}
                      </time>
                    </A>
                  </li>
                )}
              </For>
            </ul>
            <LoadMore page={list} />
          </>
        )}
      </QueryState>
    </div>
  );
}
