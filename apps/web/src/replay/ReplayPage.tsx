// /w/:workspaceId/sessions/:conversationId/replay: a session played back from its stored events,
// shareable with anyone in the workspace (viewers included). Loading, error and empty states here;
// the player does the rest.
import { A, useParams } from '@solidjs/router';
import { useQuery } from '@tanstack/solid-query';
import { Match, Switch } from 'solid-js';
import { EmptyState } from '../components/EmptyState.tsx';
import { describeError } from '../errors.ts';
import { trpc } from '../trpc.ts';
import { ReplayPlayer } from './ReplayPlayer.tsx';
import './replay.css';

export function ReplayPage() {
  const params = useParams();
  const workspaceId = () => params.workspaceId ?? '';
  const conversationId = () => params.conversationId ?? '';
  const sessionHref = () => `/w/${workspaceId()}/sessions/${conversationId()}`;
  // A stored session does not change while it is replayed (new events would only lengthen it): read once.
  const replay = useQuery(() => ({
    queryKey: ['conversation.replay', conversationId()],
    queryFn: () => trpc.conversation.replay.query({ conversationId: conversationId() }),
    enabled: conversationId() !== '',
    staleTime: Infinity,
  }));

  return (
    <div class="page page--wide replay">
      <header class="conversation__header">
        <A class="conversation__back" href={sessionHref()} aria-label="Back to the session">
          ← Session
        </A>
        <h1 class="replay__title" data-testid="replay-title">
          {replay.data?.conversation.title ?? 'Replay'}
        </h1>
        <span class="tag">Replay</span>
      </header>
      <Switch>
        <Match when={replay.isPending}>
          <div class="card skeleton" aria-busy="true">
            Loading the session's timeline…
          </div>
        </Match>
        <Match when={replay.isError}>
          <EmptyState icon="alert" title="This replay could not be opened" testId="replay-error">
            <p>{describeError(replay.error).message}</p>
            <div class="row">
              <A class="button" href={`/w/${workspaceId()}/sessions`}>
                Back to sessions
              </A>
              <button class="button button--primary" type="button" onClick={() => void replay.refetch()}>
                Try again
              </button>
            </div>
          </EmptyState>
        </Match>
        <Match when={replay.data?.entries.length === 0}>
          <EmptyState icon="sessions" title="Nothing to replay yet" testId="replay-empty">
            <p>No one has asked anything in this session. Once questions, replies or alerts are posted, they can be played back here.</p>
            <A class="button button--primary" href={sessionHref()}>
              Open the session
            </A>
          </EmptyState>
        </Match>
        <Match when={replay.data}>{(data) => <ReplayPlayer replay={data()} />}</Match>
      </Switch>
    </div>
  );
}
