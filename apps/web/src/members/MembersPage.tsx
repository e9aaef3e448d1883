// Members of a workspace and their roles; admins invite by link, re-role and remove members here.
import { useNavigate, useParams } from '@solidjs/router';
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import { createSignal, For, Show } from 'solid-js';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { ACTIONS_COLUMN, DataTable } from '../components/DataTable.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { RoleBadge, roleOptions } from './RoleBadge.tsx';
import { InviteForm } from './InviteForm.tsx';
import { PendingInvitations, invitationsKey } from './PendingInvitations.tsx';
import { createSubscription } from '../createSubscription.ts';
import { describeError } from '../errors.ts';
import { createWorkspaceAccess, meKey } from '../me.ts';
import { formatDate, formatDateTime } from '../time.ts';
import { trpc, type Member, type Role } from '../trpc.ts';

export function MembersPage() {
  const params = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const workspaceId = () => params.workspaceId ?? '';
  const access = createWorkspaceAccess(workspaceId);
  const membersKey = () => ['workspace.members', workspaceId()] as const;
  const [rowError, setRowError] = createSignal<string | null>(null);
  const [busyUser, setBusyUser] = createSignal<string | null>(null);

  const members = useQuery(() => ({
    queryKey: membersKey(),
    queryFn: () => trpc.workspace.members.query({ workspaceId: workspaceId() }),
    enabled: workspaceId() !== '' && access.role() !== undefined,
  }));

  // Someone accepting an invitation, or another admin's change, shows here at once.
  createSubscription({
    input: () => (workspaceId() && access.role() ? { workspaceId: workspaceId() } : null),
    subscribe: (input, observer) => trpc.workspace.events.subscribe(input, observer),
    onData: () => {
      void queryClient.invalidateQueries({ queryKey: membersKey() });
      void queryClient.invalidateQueries({ queryKey: invitationsKey(workspaceId()) });
    },
  });

  const replaceMember = (member: Member) =>
    queryClient.setQueryData<Member[]>(membersKey(), (list) => {
      if (!list) return [member];
      return list.some((m) => m.userId === member.userId)
        ? list.map((m) => (m.userId === member.userId ? member : m))
        : [...list, member];
    });

  const afterChange = async (userId: string) => {
    await queryClient.invalidateQueries({ queryKey: ['audit.list', workspaceId()] });
    // Changing one's own role or membership changes what this user may do here.
    if (userId === access.me.data?.user.id) await queryClient.invalidateQueries({ queryKey: meKey });
  };

  const changeRole = async (member: Member, role: Role, select: HTMLSelectElement) => {
    setRowError(null);
    setBusyUser(member.userId);
    try {
      const updated = await trpc.workspace.setRole.mutate({ workspaceId: workspaceId(), userId: member.userId, role });
      replaceMember(updated);
      await afterChange(member.userId);
    } catch (error) {
      select.value = member.role;
      setRowError(`Could not change ${member.name}'s role: ${describeError(error).message}`);
      void queryClient.invalidateQueries({ queryKey: membersKey() });
    } finally {
      setBusyUser(null);
    }
  };

  /** Throws on failure: the confirm question stays open and says why (see ConfirmButton). */
  const removeMember = async (member: Member) => {
    setRowError(null);
    setBusyUser(member.userId);
    try {
      await trpc.workspace.removeMember.mutate({ workspaceId: workspaceId(), userId: member.userId });
      queryClient.setQueryData<Member[]>(membersKey(), (list) => list?.filter((m) => m.userId !== member.userId));
      const wasSelf = member.userId === access.me.data?.user.id;
      await afterChange(member.userId);
      if (wasSelf) navigate('/', { replace: true });
    } finally {
      setBusyUser(null);
    }
  };

  const isSelf = (member: Member) => member.userId === access.me.data?.user.id;

  return (
    <div class="page">
      <PageHeader
        title="Members"
        description={
          access.isAdmin()
            ? 'Who can use this workspace. Admins manage members; members work in it; viewers only read.'
            : 'Who can use this workspace. Only admins can change membership.'
        }
      />
      <Show when={access.isAdmin()}>
        <InviteForm
          workspaceId={workspaceId()}
          onInvited={() => {
            void queryClient.invalidateQueries({ queryKey: invitationsKey(workspaceId()) });
            void queryClient.invalidateQueries({ queryKey: ['audit.list', workspaceId()] });
          }}
        />
      </Show>
      <ErrorNote message={rowError()} testId="members-error" />
      <QueryState query={members} data={members.data} loading="Loading members…">
        {(list) => (
          <div class="card card--flush">
            <DataTable testId="members-table" columns={['Name', 'Email', 'Role', 'Joined', ...(access.isAdmin() ? [ACTIONS_COLUMN] : [])]}>
              <For each={list()}>
                {(member) => (
                  <tr data-testid="member-row" data-email={member.email}>
                    <td>
                      <span class="member-name">
                        {member.name}
                        <Show when={isSelf(member)}>
                          <span class="tag">You</span>
                        </Show>
                      </span>
                    </td>
                    <td class="muted">{member.email}</td>
                    <td>
                      <Show when={access.isAdmin()} fallback={<RoleBadge role={member.role} />}>
                        <select
                          class="select select--compact"
                          aria-label={`Role of ${member.name}`}
                          data-testid="member-role"
                          value={member.role}
                          disabled={busyUser() === member.userId}
                          onChange={(event) => void changeRole(member, event.currentTarget.value as Role, event.currentTarget)}
                        >
                          <For each={roleOptions}>{(option) => <option value={option.value}>{option.label}</option>}</For>
                        </select>
                      </Show>
                    </td>
                    <td class="nowrap">
                      <time datetime={member.joinedAt} title={formatDateTime(member.joinedAt)}>
                        {formatDate(member.joinedAt)}
                      </time>
                    </td>
                    <Show when={access.isAdmin()}>
                      <td class="table__actions">
                        <ConfirmButton
                          label="Remove"
                          ariaLabel={`Remove ${member.name}`}
                          question={isSelf(member) ? 'Leave workspace?' : `Remove ${member.name}?`}
                          confirmLabel={isSelf(member) ? 'Leave' : 'Remove'}
                          onOpen={() => setRowError(null)}
                          onConfirm={() => removeMember(member)}
                          onError={(error) => setRowError(`Could not remove ${member.name}: ${describeError(error).message}`)}
                        />
                      </td>
                    </Show>
                  </tr>
                )}
              </For>
            </DataTable>
          </div>
        )}
      </QueryState>
      <Show when={access.isAdmin()}>
        <PendingInvitations workspaceId={workspaceId()} />
      </Show>
    </div>
  );
}
