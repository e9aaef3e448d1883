// Admins invite by link: a single-use link for one person, with a role; the email only labels it.
import { useMutation } from '@tanstack/solid-query';
import { createSignal, For, Show } from 'solid-js';
import { CopyButton } from '../components/CopyButton.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field } from '../components/Field.tsx';
import { describeError } from '../errors.ts';
import { trpc, type Role } from '../trpc.ts';
import { absoluteLink } from './invitation-link.ts';
import { roleOptions } from './RoleBadge.tsx';

export function InviteForm(props: { workspaceId: string; onInvited: () => void }) {
  const [email, setEmail] = createSignal('');
  const [role, setRole] = createSignal<Role>('member');
  const [created, setCreated] = createSignal<{ email: string; role: Role; link: string } | null>(null);

  const invite = useMutation(() => ({
    mutationFn: (input: { workspaceId: string; email: string; role: Role }) => trpc.workspace.invite.mutate(input),
    onSuccess: (result, input) => {
      setEmail('');
      setCreated({ email: input.email, role: input.role, link: absoluteLink(result.url) });
      props.onInvited();
    },
  }));

  const error = () => (invite.error ? describeError(invite.error) : undefined);
  const emailError = () => error()?.fieldErrors.email?.[0];

  return (
    <form
      class="card add-member"
      aria-labelledby="invite-title"
      onSubmit={(event) => {
        event.preventDefault();
        setCreated(null);
        if (!email().trim()) return;
        invite.mutate({ workspaceId: props.workspaceId, email: email().trim(), role: role() });
      }}
    >
      <div class="add-member__head">
        <h2 id="invite-title" class="card__title">
          Invite someone
        </h2>
        <p class="muted">
          You get a link that works once, for 7 days. Send it to them yourself: whoever opens it and accepts joins with this role.
          The email is only your note of whom it is for.
        </p>
      </div>
      <div class="add-member__fields">
        <Field id="invite-email" label="For (email)" class="add-member__email" invalid={!!emailError()}>
          {(control) => (
            <input
              {...control}
              class="input"
              type="email"
              required
              autocomplete="off"
              placeholder="teammate@company.com"
              value={email()}
              onInput={(event) => setEmail(event.currentTarget.value)}
            />
          )}
        </Field>
        <Field id="invite-role" label="Role">
          {(control) => (
            <select id={control.id} class="select" value={role()} onChange={(event) => setRole(event.currentTarget.value as Role)}>
              <For each={roleOptions}>{(option) => <option value={option.value}>{option.label}</option>}</For>
            </select>
          )}
        </Field>
        <button class="button button--primary add-member__submit" type="submit" disabled={invite.isPending || !email().trim()}>
          {invite.isPending ? 'Creating link…' : 'Create invite link'}
        </button>
      </div>
      <ErrorNote message={emailError() ?? error()?.message} testId="invite-error" />
      <Show when={created()}>
        {(done) => (
          <div class="invite-link" role="status">
            <p>
              Invite link for <strong>{done().email}</strong> as {done().role}:
            </p>
            <div class="invite-link__row">
              <input class="input invite-link__url" readonly value={done().link} aria-label="Invite link" data-testid="invite-link"
                onFocus={(event) => event.currentTarget.select()} />
              <CopyButton text={done().link} label="Copy link" class="button button--primary" testId="invite-copy" />
            </div>
          </div>
        )}
      </Show>
    </form>
  );
}
