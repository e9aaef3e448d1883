// Access tokens: the caller's personal tokens for this workspace, for MCP clients and scripts.
// A new token is shown once with a ready MCP config; tokens list their last use and are revocable.
import { useParams } from '@solidjs/router';
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import { createSignal, For, Show } from 'solid-js';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { ACTIONS_COLUMN, DataTable } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field, FieldError } from '../components/Field.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { describeError } from '../errors.ts';
import { CopyBlock } from '../ingestKeys/IngestExample.tsx';
import { createWorkspaceAccess } from '../me.ts';
import { formatDate, formatDateTime, formatRelativeTime } from '../time.ts';
import { trpc } from '../trpc.ts';
import { mcpHttpConfig, mcpStdioConfig } from './mcpConfig.ts';

type AccessToken = Awaited<ReturnType<typeof trpc.accessToken.list.query>>[number];

function CreateTokenForm(props: { workspaceId: string; onCreated: (created: { label: string; token: string }) => void }) {
  const [label, setLabel] = createSignal('');
  const [error, setError] = createSignal<{ label?: string; form?: string }>({});
  const [saving, setSaving] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!label().trim()) return void setError({ label: 'Name the client that will use it, e.g. “Claude Desktop on my laptop”.' });
    setSaving(true);
    setError({});
    try {
      const created = await trpc.accessToken.create.mutate({ workspaceId: props.workspaceId, label: label() });
      props.onCreated({ label: label().trim(), token: created.token });
      setLabel('');
    } catch (cause) {
      const view = describeError(cause);
      setError({ label: view.fieldErrors.label?.[0], form: view.message });
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="card key-form" aria-label="New access token" novalidate onSubmit={(e) => void submit(e)}>
      <div class="key-form__head">
        <h2 class="card__title">New access token</h2>
        <p class="muted">It acts as you, in this workspace, with your role. One per client makes it easy to revoke just one.</p>
      </div>
      <div class="key-form__fields">
        <Field id="token-label" label="Label" invalid={!!error().label}>
          {(control) => (
            <input {...control} class="input" maxlength="80" placeholder="e.g. Claude Desktop" value={label()} onInput={(e) => setLabel(e.currentTarget.value)} />
          )}
        </Field>
        <button class="button button--primary" type="submit" disabled={saving()} data-testid="create-token">
          {saving() ? 'Creating…' : 'Create token'}
        </button>
      </div>
      <FieldError message={error().label} testId="token-label-error" />
      <ErrorNote message={error().label ? null : error().form} testId="token-form-error" />
    </form>
  );
}

function NewTokenReveal(props: { label: string; secret: string; onDone: () => void }) {
  return (
    <section class="card key-reveal" aria-label={`Token ${props.label} created`} data-testid="new-token">
      <div class="key-reveal__head">
        <h2 class="card__title">Token "{props.label}" created</h2>
        <p class="key-reveal__warning">Copy it now: it is stored hashed and will not be shown again.</p>
      </div>
      <CopyBlock text={props.secret} label="New access token" testId="new-token-value" />
      <p class="muted">An MCP client that speaks Streamable HTTP:</p>
      <CopyBlock text={mcpHttpConfig(props.secret)} label="MCP config (HTTP)" testId="new-token-mcp" />
      <p class="muted">A client that only launches commands, through the stdio bridge of a Tandem checkout:</p>
      <CopyBlock text={mcpStdioConfig(props.secret)} label="MCP config (stdio)" />
      <div class="row row--end">
        <button class="button" type="button" onClick={() => props.onDone()}>
          I have copied it
        </button>
      </div>
    </section>
  );
}

function TokenRow(props: { token: AccessToken; onRevoke: () => Promise<void>; onError: (message: string) => void }) {
  const item = () => props.token;
  return (
    <tr data-testid="token-row" data-label={item().label} classList={{ 'table__row--muted': !!item().revokedAt }}>
      <td class="member-name">{item().label}</td>
      <td>
        <code>{item().prefix}…</code>
      </td>
      <td class="nowrap">
        <time datetime={item().createdAt} title={formatDateTime(item().createdAt)}>{formatDate(item().createdAt)}</time>
      </td>
      <td class="nowrap" data-testid="token-last-used">
        <Show when={item().lastUsedAt} fallback={<span class="muted">Never</span>}>
          {(at) => <time datetime={at()} title={formatDateTime(at())}>{formatRelativeTime(at())}</time>}
        </Show>
      </td>
      <td class="table__actions">
        <Show
          when={item().revokedAt}
          fallback={
            <ConfirmButton
              label="Revoke"
              ariaLabel={`Revoke ${item().label}`}
              question="Clients using it get 401 at once."
              onConfirm={props.onRevoke}
              onError={(cause) => props.onError(`Could not revoke "${item().label}": ${describeError(cause).message}`)}
            />
          }
        >
          {(at) => <span class="tag" title={formatDateTime(at())} data-testid="token-revoked">Revoked {formatDate(at())}</span>}
        </Show>
      </td>
    </tr>
  );
}

export function AccessTokensPage() {
  const params = useParams();
  const queryClient = useQueryClient();
  const workspaceId = () => params.workspaceId ?? '';
  const access = createWorkspaceAccess(workspaceId);
  const canCreate = () => access.role() === 'admin' || access.role() === 'member';
  const key = () => ['accessToken.list', workspaceId()] as const;
  const [revealed, setRevealed] = createSignal<{ label: string; token: string } | null>(null);
  const [rowError, setRowError] = createSignal<string | null>(null);

  const tokens = useQuery(() => ({
    queryKey: key(),
    queryFn: () => trpc.accessToken.list.query({ workspaceId: workspaceId() }),
    enabled: canCreate(),
  }));

  const revoke = async (token: AccessToken) => {
    setRowError(null);
    const updated = await trpc.accessToken.revoke.mutate({ workspaceId: workspaceId(), tokenId: token.id });
    queryClient.setQueryData<AccessToken[]>(key(), (list) => list?.map((t) => (t.id === updated.id ? updated : t)));
  };

  return (
    <div class="page page--wide">
      <PageHeader title="Access tokens" description="Personal tokens for MCP clients (Claude Desktop, IDEs, agents) and scripts: the assistant’s tools, as you, in this workspace." />
      <Show
        when={canCreate()}
        fallback={
          <EmptyState icon="lock" title="Members only" testId="tokens-forbidden">
            <p>Viewers cannot make access tokens. Ask an admin to make you a member.</p>
          </EmptyState>
        }
      >
        <Show
          when={revealed()}
          fallback={<CreateTokenForm workspaceId={workspaceId()} onCreated={(created) => { setRevealed(created); void queryClient.invalidateQueries({ queryKey: key() }); }} />}
        >
          {(created) => <NewTokenReveal label={created().label} secret={created().token} onDone={() => setRevealed(null)} />}
        </Show>
        <ErrorNote message={rowError()} testId="tokens-error" />
        <QueryState
          query={tokens}
          data={tokens.data}
          loading="Loading your tokens…"
          empty={
            <EmptyState icon="lock" title="No access tokens yet" testId="tokens-empty">
              <p>Create one above and paste the config it shows into your MCP client.</p>
            </EmptyState>
          }
        >
          {(list) => (
            <div class="card card--flush">
              <DataTable testId="tokens-table" columns={['Label', 'Token', 'Created', 'Last used', ACTIONS_COLUMN]}>
                <For each={list()}>{(t) => <TokenRow token={t} onRevoke={() => revoke(t)} onError={setRowError} />}</For>
              </DataTable>
            </div>
          )}
        </QueryState>
      </Show>
    </div>
  );
}
