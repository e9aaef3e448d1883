// Where an invitation link lands: the workspace and role it offers, and Accept. Signed-out
// visitors sign in or register first and come back here.
import { A, Navigate, useNavigate, useParams } from '@solidjs/router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/solid-query';
import { Match, Show, Switch } from 'solid-js';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { describeError } from '../errors.ts';
import { createMeQuery, meKey } from '../me.ts';
import { RoleBadge } from '../members/RoleBadge.tsx';
import { token } from '../session.ts';
import { formatDate } from '../time.ts';
import { trpc } from '../trpc.ts';

export function InvitePage() {
  const params = useParams();
  const here = () => `/invite/${params.token ?? ''}`;
  return (
    <Show when={token()} fallback={<Navigate href={`/login?next=${encodeURIComponent(here())}`} />}>
      <div class="auth">
        <div class="auth__panel">
          <div class="brand brand--center">
            <span class="brand-mark brand-mark--large" aria-hidden="true" />
            <span class="brand__name brand__name--large">Tandem</span>
          </div>
          <InvitationCard token={params.token ?? ''} />
        </div>
      </div>
    </Show>
  );
}

function InvitationCard(props: { token: string }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = createMeQuery();
  const preview = useQuery(() => ({
    queryKey: ['workspace.invitation', props.token],
    queryFn: () => trpc.workspace.invitation.query({ token: props.token }),
    retry: false,
  }));
  const accept = useMutation(() => ({
    mutationFn: () => trpc.workspace.acceptInvite.mutate({ token: props.token }),
    onSuccess: async (workspace) => {
      await queryClient.invalidateQueries({ queryKey: meKey });
      navigate(`/w/${workspace.id}`, { replace: true });
    },
  }));

  return (
    <div class="card auth__card stack" data-testid="invitation">
      <Switch>
        <Match when={preview.isPending}>
          <p class="muted" aria-busy="true">
            Opening the invitation…
          </p>
        </Match>
        <Match when={preview.isError}>
          <h1 class="card__title">This link does not open a workspace</h1>
          <ErrorNote message={describeError(preview.error).message} testId="invitation-error" />
          <A class="button button--block" href="/">
            Go to my workspaces
          </A>
        </Match>
        <Match when={preview.data}>
          {(invitation) => (
            <>
              <h1 class="card__title">Join {invitation().workspaceName}</h1>
              <p>
                {invitation().invitedBy} invited you to <strong data-testid="invitation-workspace">{invitation().workspaceName}</strong> as{' '}
                <RoleBadge role={invitation().role} />.
              </p>
              <p class="muted">
                Signed in as {me.data?.user.email ?? '…'}. The link works once, until {formatDate(invitation().expiresAt)}.
              </p>
              <ErrorNote message={accept.error ? describeError(accept.error).message : undefined} testId="accept-error" />
              <Show
                when={!invitation().alreadyMember}
                fallback={
                  <A class="button button--primary button--block" href={`/w/${invitation().workspaceId}`}>
                    You are already a member: open it
                  </A>
                }
              >
                <button class="button button--primary button--block" type="button" disabled={accept.isPending} onClick={() => accept.mutate()}>
                  {accept.isPending ? 'Joining…' : 'Accept invitation'}
                </button>
              </Show>
              <A class="button button--ghost button--block" href="/">
                Not now
              </A>
            </>
          )}
        </Match>
      </Switch>
    </div>
  );
}
