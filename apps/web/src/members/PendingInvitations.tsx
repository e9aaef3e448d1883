// Pending invitations (admins): whom each link is for, its role and expiry; copy it again or revoke it.
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import { createSignal, For } from 'solid-js';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { CopyButton } from '../components/CopyButton.tsx';
import { ACTIONS_COLUMN, DataTable } from '../components/DataTable.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { describeError } from '../errors.ts';
import { formatDate, formatDateTime } from '../time.ts';
import { trpc } from '../trpc.ts';
import { absoluteLink } from './invitation-link.ts';
import { RoleBadge } from './RoleBadge.tsx';

export const invitationsKey = (workspaceId: string) => ['workspace.invitations', workspaceId] as const;

type Invitation = Awaited<ReturnType<typeof trpc.workspace.invitations.query>>[number];

export function PendingInvitations(props: { workspaceId: string }) {
  const queryClient = useQueryClient();
  const [rowError, setRowError] = createSignal<string | null>(null);
  const invitations = useQuery(() => ({
    queryKey: invitationsKey(props.workspaceId),
    queryFn: () => trpc.workspace.invitations.query({ workspaceId: props.workspaceId }),
  }));

  const revoke = async (invitation: Invitation) => {
    await trpc.workspace.revokeInvite.mutate({ workspaceId: props.workspaceId, invitationId: invitation.id });
    queryClient.setQueryData<Invitation[]>(invitationsKey(props.workspaceId), (list) => list?.filter((i) => i.id !== invitation.id));
    void queryClient.invalidateQueries({ queryKey: ['audit.list', props.workspaceId] });
  };

  return (
    <section class="card card--flush" aria-labelledby="pending-title" data-testid="pending-invitations">
      <h2 id="pending-title" class="card-section-title">
        Pending invitations
      </h2>
      <ErrorNote message={rowError()} testId="invitations-error" />
      <QueryState
        query={invitations}
        data={invitations.data}
        loading="Loading invitations…"
        errorTestId="invitations-load-error"
        empty={
          <p class="muted invitations-empty" data-testid="invitations-empty">
            No pending invitations. Links that were accepted, revoked or have expired are not listed.
          </p>
        }
      >
        {(list) => (
          <DataTable testId="invitations-table" columns={['For', 'Role', 'Invited by', 'Expires', ACTIONS_COLUMN]}>
              <For each={list()}>
                {(invitation) => (
                  <tr data-testid="invitation-row" data-email={invitation.email}>
                    <td>{invitation.email}</td>
                    <td>
                      <RoleBadge role={invitation.role} />
                    </td>
                    <td class="muted">{invitation.invitedBy}</td>
                    <td class="nowrap">
                      <time datetime={invitation.expiresAt} title={formatDateTime(invitation.expiresAt)}>
                        {formatDate(invitation.expiresAt)}
                      </time>
                    </td>
                    <td class="table__actions">
                      <CopyButton text={absoluteLink(invitation.url)} label="Copy link" ariaLabel={`Copy the invite link for ${invitation.email}`} />
                      <ConfirmButton
                        label="Revoke"
                        ariaLabel={`Revoke the invitation for ${invitation.email}`}
                        question="Revoke this link?"
                        onOpen={() => setRowError(null)}
                        onConfirm={() => revoke(invitation)}
                        onError={(error) => setRowError(`Could not revoke the invitation for ${invitation.email}: ${describeError(error).message}`)}
                      />
                    </td>
                  </tr>
                )}
              </For>
          </DataTable>
        )}
      </QueryState>
    </section>
  );
}
