// Sign in or create an account; on success the token is stored and the user lands in a workspace,
// or back where they came from (`?next=`, e.g. an invitation link).
import { Navigate, useNavigate, useSearchParams } from '@solidjs/router';
import { useMutation, useQueryClient } from '@tanstack/solid-query';
import { createSignal, Show } from 'solid-js';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field } from '../components/Field.tsx';
import { describeError } from '../errors.ts';
import { setToken, token } from '../session.ts';
import { trpc } from '../trpc.ts';

type Mode = 'signIn' | 'register';
type AuthField = 'name' | 'email' | 'password';

function findFieldProblems(mode: Mode, values: Record<AuthField, string>): Partial<Record<AuthField, string>> {
  const problems: Partial<Record<AuthField, string>> = {};
  if (mode === 'register' && !values.name.trim()) problems.name = 'Name is required';
  if (!values.email.trim()) problems.email = 'Email is required';
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) problems.email = 'Enter a valid email address';
  if (!values.password) problems.password = 'Password is required';
  else if (mode === 'register' && values.password.length < 8) problems.password = 'Password must be at least 8 characters';
  return problems;
}

/** Only a path of this app: never another origin (`//evil.example`) to be sent to after signing in. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export function LoginPage() {
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const next = () => safeNext(search.next);
  const queryClient = useQueryClient();
  const [mode, setMode] = createSignal<Mode>('signIn');
  const [name, setName] = createSignal('');
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [localProblems, setLocalProblems] = createSignal<Partial<Record<AuthField, string>>>({});

  const authenticate = useMutation(() => ({
    mutationFn: (input: { mode: Mode; name: string; email: string; password: string }) =>
      input.mode === 'register'
        ? trpc.auth.register.mutate({ name: input.name, email: input.email, password: input.password })
        : trpc.auth.login.mutate({ email: input.email, password: input.password }),
    onSuccess: (result) => {
      queryClient.clear();
      setToken(result.token);
      navigate(next(), { replace: true });
    },
  }));

  const serverError = () => (authenticate.error ? describeError(authenticate.error) : undefined);
  const fieldError = (field: AuthField) => localProblems()[field] ?? serverError()?.fieldErrors[field]?.[0];
  const formError = () => {
    const error = serverError();
    if (!error) return undefined;
    const fieldsShown = (['name', 'email', 'password'] as const).some((f) => error.fieldErrors[f]);
    return fieldsShown && error.code === 'BAD_REQUEST' ? undefined : error.message;
  };

  const switchMode = (next: Mode) => {
    setMode(next);
    setLocalProblems({});
    authenticate.reset();
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const values = { name: name(), email: email(), password: password() };
    const problems = findFieldProblems(mode(), values);
    setLocalProblems(problems);
    if (Object.keys(problems).length > 0) {
      const first = (['name', 'email', 'password'] as const).find((f) => problems[f]);
      if (first) document.getElementById(`auth-${first}`)?.focus();
      return;
    }
    authenticate.mutate({ mode: mode(), name: values.name.trim(), email: values.email.trim(), password: values.password });
  };

  return (
    <Show when={!token()} fallback={<Navigate href={next()} />}>
      <div class="auth">
        <div class="auth__panel">
          <div class="brand brand--center">
            <span class="brand-mark brand-mark--large" aria-hidden="true" />
            <span class="brand__name brand__name--large">Tandem</span>
          </div>
          <p class="auth__tagline">Analyse data and run AI agents together, in real time.</p>
          <Show when={next().startsWith('/invite/')}>
            <p class="auth__note" role="status" data-testid="auth-invite-note">
              Sign in or create an account to open your invitation.
            </p>
          </Show>
          <div class="card auth__card">
            <div class="tabs" role="tablist" aria-label="Account">
              <button
                class="tabs__tab"
                classList={{ 'tabs__tab--active': mode() === 'signIn' }}
                type="button"
                role="tab"
                aria-selected={mode() === 'signIn'}
                onClick={() => switchMode('signIn')}
              >
                Sign in
              </button>
              <button
                class="tabs__tab"
                classList={{ 'tabs__tab--active': mode() === 'register' }}
                type="button"
                role="tab"
                aria-selected={mode() === 'register'}
                onClick={() => switchMode('register')}
              >
                Create account
              </button>
            </div>
            <form class="stack" onSubmit={submit} novalidate aria-label={mode() === 'register' ? 'Create account' : 'Sign in'}>
              <ErrorNote message={formError()} testId="auth-error" />
              <Show when={mode() === 'register'}>
                <Field id="auth-name" label="Name" error={fieldError('name')}>
                  {(control) => <input {...control} class="input" autocomplete="name" value={name()} onInput={(event) => setName(event.currentTarget.value)} />}
                </Field>
              </Show>
              <Field id="auth-email" label="Email" error={fieldError('email')}>
                {(control) => (
                  <input {...control} class="input" type="email" autocomplete="email" value={email()} onInput={(event) => setEmail(event.currentTarget.value)} />
                )}
              </Field>
              <Field
                id="auth-password"
                label="Password"
                error={fieldError('password')}
                hint={mode() === 'register' ? 'At least 8 characters.' : undefined}
              >
                {(control) => (
                  <input
                    {...control}
                    class="input"
                    type="password"
                    autocomplete={mode() === 'register' ? 'new-password' : 'current-password'}
                    value={password()}
                    onInput={(event) => setPassword(event.currentTarget.value)}
                  />
                )}
              </Field>
              <button class="button button--primary button--block" type="submit" disabled={authenticate.isPending}>
                {authenticate.isPending
                  ? mode() === 'register'
                    ? 'Creating account…'
                    : 'Signing in…'
                  : mode() === 'register'
                    ? 'Create account'
                    : 'Sign in'}
              </button>
            </form>
          </div>
          <p class="auth__switch muted">
            <Show
              when={mode() === 'signIn'}
              fallback={
                <>
                  Already have an account?{' '}
                  <button class="link-button" type="button" onClick={() => switchMode('signIn')}>
                    Sign in
                  </button>
                </>
              }
            >
              New to Tandem?{' '}
              <button class="link-button" type="button" onClick={() => switchMode('register')}>
                Create an account
              </button>
            </Show>
          </p>
        </div>
      </div>
    </Show>
  );
}
