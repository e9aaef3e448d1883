// Members of a workspace and their roles; admins add, re-role and remove members here.
import { useNavigate, useParams } from '@solidjs/router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/solid-query';
import { createSignal, For, Show } from 'solid-js';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { ACTIONS_COLUMN, DataTable } from '../components/DataTable.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field } from '../components/Field.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { RoleBadge, roleOptions } from './RoleBadge.tsx';
import { describeError } from '../errors.ts';
import { createWorkspaceAccess, meKey } from '../me.ts';
import { formatDate, formatDateTime } from '../time.ts';
import { trpc, type Member, type Role } from '../trpc.ts';

function AddMemberForm(props: { workspaceId: string; onAdded: (member: Member) => void }) {
  const [email, setEmail] = createSignal('');
  const [role, setRole] = createSignal<Role>('member');
  const [added, setAdded] = createSignal<string | null>(null);

  const add = useMutation(() => ({
    mutationFn: (input: { workspaceId: string; email: string; role: Role }) => trpc.workspace.addMember.mutate(input),
    onSuccess: (member) => {
      setEmail('');
      setAdded(`${member.name} was added as ${member.role}.`);
      props.onAdded(member);
    },
  }));

  const error = () => (add.error ? describeError(add.error) : undefined);
  const emailError = () => error()?.fieldErrors.email?.[0];

  return (
    <form
      class="card add-member"
      aria-labelledby="add-member-title"
      onSubmit={(event) => {
        event.preventDefault();
        setAdded(null);
        if (!email().trim()) return;
        add.mutate({ workspaceId: props.workspaceId, email: email().trim(), role: role() });
      }}
    >
      <div class="add-member__head">
        <h2 id="add-member-title" class="card__title">
          Add a member
        </h2>
        <p class="muted">They need a Tandem account first; they will see this workspace in their switcher.</p>
      </div>
      <div class="add-member__fields">
        <Field id="add-member-email" label="Email" class="add-member__email" invalid={!!emailError()}>
          {(control) => (
            <input
              {...control}
              class="input"
              type="email"
              required
              autocomplete="off"
              placeholder="teammate@company.com"
              value={email()}
              onInput={(event) => {
                setEmail(event.currentTarget.value);
                setAdded(null);
              }}
            />
          )}
        </Field>
        <Field id="add-member-role" label="Role">
          {(control) => (
            <select id={control.id} class="select" value={role()} onChange={(event) => setRole(event.currentTarget.value as Role)}>
              <For each={roleOptions}>{(option) => <option value={option.value}>{option.label}</option>}</For>
            </select>
          )}
        </Field>
        <button class="button button--primary add-member__submit" type="submit" disabled={add.isPending || !email().trim()}>
          {add.isPending ? 'Adding…' : 'Add member'}
        </button>
      </div>
      <ErrorNote message={emailError() ?? error()?.message} testId="add-member-error" />
      <Show when={added()}>
        <p class="success-note" role="status">
          {added()}
        </p>
      </Show>
    </form>
  );
}

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
        <AddMemberForm workspaceId={workspaceId()} onAdded={(member) => { replaceMember(member); void afterChange(member.userId); }} />
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
    </div>
  );
}
