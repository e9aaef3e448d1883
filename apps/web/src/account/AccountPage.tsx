// The signed-in user's account: change the password. Every other session ends; this one goes on
// with the fresh token the server hands back.
import { useMutation } from '@tanstack/solid-query';
import { createSignal, Show } from 'solid-js';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field, type FieldControl } from '../components/Field.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { describeError } from '../errors.ts';
import { createMeQuery } from '../me.ts';
import { setToken } from '../session.ts';
import { trpc, wsClient } from '../trpc.ts';

type PasswordField = 'currentPassword' | 'newPassword' | 'confirm';

function findProblems(values: Record<PasswordField, string>): Partial<Record<PasswordField, string>> {
  const problems: Partial<Record<PasswordField, string>> = {};
  if (!values.currentPassword) problems.currentPassword = 'Enter your current password';
  if (values.newPassword.length < 8) problems.newPassword = 'New password must be at least 8 characters';
  else if (values.confirm !== values.newPassword) problems.confirm = 'The two new passwords differ';
  return problems;
}

export function AccountPage() {
  const me = createMeQuery();
  const [values, setValues] = createSignal<Record<PasswordField, string>>({ currentPassword: '', newPassword: '', confirm: '' });
  const [problems, setProblems] = createSignal<Partial<Record<PasswordField, string>>>({});
  const [done, setDone] = createSignal(false);

  const change = useMutation(() => ({
    mutationFn: (input: { currentPassword: string; newPassword: string }) => trpc.auth.changePassword.mutate(input),
    onSuccess: (result) => {
      setToken(result.token);
      // The open socket was authorised with the old token, now refused: the next subscription
      // opens a new one with the new token.
      void wsClient.close();
      setValues({ currentPassword: '', newPassword: '', confirm: '' });
      setDone(true);
    },
  }));

  const serverError = () => (change.error ? describeError(change.error) : undefined);
  const fieldError = (field: PasswordField) =>
    problems()[field] ?? (field === 'confirm' ? undefined : serverError()?.fieldErrors[field]?.[0]);
  const formError = () => {
    const error = serverError();
    if (!error) return undefined;
    return error.fieldErrors.currentPassword || error.fieldErrors.newPassword ? undefined : error.message;
  };
  const set = (field: PasswordField, value: string) => {
    setValues({ ...values(), [field]: value });
    setDone(false);
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const found = findProblems(values());
    setProblems(found);
    if (Object.keys(found).length > 0) {
      const first = (['currentPassword', 'newPassword', 'confirm'] as const).find((f) => found[f]);
      if (first) document.getElementById(`account-${first}`)?.focus();
      return;
    }
    change.mutate({ currentPassword: values().currentPassword, newPassword: values().newPassword });
  };

  const passwordInput = (field: PasswordField, autocomplete: string) => (control: FieldControl) => (
    <input {...control} class="input" type="password" autocomplete={autocomplete} value={values()[field]}
      onInput={(event) => set(field, event.currentTarget.value)} />
  );

  return (
    <div class="page">
      <PageHeader title="Account" description={me.data ? `Signed in as ${me.data.user.name} (${me.data.user.email}).` : undefined} />
      <form class="card account-form stack" onSubmit={submit} novalidate aria-labelledby="password-title">
        <div class="add-member__head">
          <h2 id="password-title" class="card__title">
            Change password
          </h2>
          <p class="muted">Every other session is signed out, on every device; this one stays signed in.</p>
        </div>
        <ErrorNote message={formError()} testId="password-error" />
        <Field id="account-currentPassword" label="Current password" error={fieldError('currentPassword')} errorTestId="current-password-error">
          {passwordInput('currentPassword', 'current-password')}
        </Field>
        <Field id="account-newPassword" label="New password" error={fieldError('newPassword')} hint="At least 8 characters." errorTestId="new-password-error">
          {passwordInput('newPassword', 'new-password')}
        </Field>
        <Field id="account-confirm" label="Repeat the new password" error={fieldError('confirm')} errorTestId="confirm-password-error">
          {passwordInput('confirm', 'new-password')}
        </Field>
        <div class="row row--end">
          <button class="button button--primary" type="submit" disabled={change.isPending}>
            {change.isPending ? 'Changing…' : 'Change password'}
          </button>
        </div>
        <Show when={done()}>
          <p class="success-note" role="status" data-testid="password-changed">
            Password changed. Your other sessions were signed out.
          </p>
        </Show>
      </form>
    </div>
  );
}
