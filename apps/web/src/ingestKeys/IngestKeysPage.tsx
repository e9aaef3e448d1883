// Ingest keys (admins): what agents use to send samples. A new key is shown once, with a copy
// button and a ready-to-run request; keys can be revoked, which takes effect at once.
import { useParams } from '@solidjs/router';
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import { createSignal, For, Show } from 'solid-js';
import { EmptyState } from '../components/EmptyState.tsx';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { ACTIONS_COLUMN, DataTable } from '../components/DataTable.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field, FieldError } from '../components/Field.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { describeError } from '../errors.ts';
import { createWorkspaceAccess } from '../me.ts';
import { CopyBlock, curlExample } from './IngestExample.tsx';
import { MetricsTabs } from '../metrics/MetricsTabs.tsx';
import { formatDate, formatDateTime, formatRelativeTime } from '../time.ts';
import { trpc } from '../trpc.ts';

type IngestKey = Awaited<ReturnType<typeof trpc.ingestKey.list.query>>[number];

function CreateKeyForm(props: { workspaceId: string; onCreated: (created: { label: string; key: string }) => void }) {
  const [label, setLabel] = createSignal('');
  const [error, setError] = createSignal<{ label?: string; form?: string }>({});
  const [saving, setSaving] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const value = label().trim();
    if (!value) {
      setError({ label: 'Give the key a label, e.g. the agent or host that will use it.' });
      return;
    }
    setSaving(true);
    setError({});
    try {
      const created = await trpc.ingestKey.create.mutate({ workspaceId: props.workspaceId, label: value });
      setLabel('');
      props.onCreated({ label: value, key: created.key });
    } catch (cause) {
      const view = describeError(cause);
      setError({ label: view.fieldErrors.label?.[0], form: view.message });
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="card key-form" aria-labelledby="key-form-title" novalidate onSubmit={(e) => void submit(e)}>
      <div class="key-form__head">
        <h2 id="key-form-title" class="card__title">
          New ingest key
        </h2>
        <p class="muted">One key per agent or host makes it easy to revoke just one. The key is shown once.</p>
      </div>
      <div class="key-form__fields">
        <Field id="key-label" label="Label" invalid={!!error().label}>
          {(control) => (
            <input
              {...control}
              class="input"
              maxlength="80"
              placeholder="e.g. checkout-bot production"
              value={label()}
              onInput={(e) => setLabel(e.currentTarget.value)}
            />
          )}
        </Field>
        <button class="button button--primary" type="submit" disabled={saving()} data-testid="create-key">
          {saving() ? 'Creating…' : 'Create key'}
        </button>
      </div>
      {/* Below the row, so the input stays level with the button. */}
      <FieldError message={error().label} testId="key-label-error" />
      <ErrorNote message={error().label ? null : error().form} testId="key-form-error" />
    </form>
  );
}

function NewKeyReveal(props: { label: string; secret: string; onDone: () => void }) {
  return (
    <section class="card key-reveal" aria-labelledby="key-reveal-title" data-testid="new-key">
      <div class="key-reveal__head">
        <h2 id="key-reveal-title" class="card__title">
          Key "{props.label}" created
        </h2>
        <p class="key-reveal__warning">Copy it now: it is stored hashed and will not be shown again.</p>
      </div>
      <CopyBlock text={props.secret} label="New ingest key" testId="new-key-value" />
      <p class="muted">Send a first sample with it — the agent appears on the Metrics dashboard at once:</p>
      <CopyBlock text={curlExample(props.secret)} label="Example request" testId="new-key-curl" />
      <div class="row row--end">
        <button class="button" type="button" onClick={() => props.onDone()}>
          I have copied it
        </button>
      </div>
    </section>
  );
}

export function IngestKeysPage() {
  const params = useParams();
  const queryClient = useQueryClient();
  const workspaceId = () => params.workspaceId ?? '';
  const access = createWorkspaceAccess(workspaceId);
  const key = () => ['ingestKey.list', workspaceId()] as const;
  const [revealed, setRevealed] = createSignal<{ label: string; key: string } | null>(null);
  const [rowError, setRowError] = createSignal<string | null>(null);

  const keys = useQuery(() => ({
    queryKey: key(),
    queryFn: () => trpc.ingestKey.list.query({ workspaceId: workspaceId() }),
    enabled: access.isAdmin(),
  }));

  /** Throws on failure: the confirm question stays open and says why (see ConfirmButton). */
  const revoke = async (item: IngestKey) => {
    setRowError(null);
    const updated = await trpc.ingestKey.revoke.mutate({ workspaceId: workspaceId(), keyId: item.id });
    queryClient.setQueryData<IngestKey[]>(key(), (list) => list?.map((k) => (k.id === updated.id ? updated : k)));
  };

  return (
    <div class="page page--wide">
      <PageHeader title="Metrics" description="Ingest keys: how agents authenticate when they send samples." />
      <MetricsTabs workspaceId={workspaceId()} isAdmin={access.isAdmin()} />
      <Show
        when={access.isAdmin()}
        fallback={
          <EmptyState icon="lock" title="Admins only" testId="keys-forbidden">
            <p>Ingest keys are managed by workspace admins. Ask one for a key for your agent.</p>
          </EmptyState>
        }
      >
        <Show
          when={revealed()}
          fallback={
            <CreateKeyForm
              workspaceId={workspaceId()}
              onCreated={(created) => {
                setRevealed(created);
                void queryClient.invalidateQueries({ queryKey: key() });
              }}
            />
          }
        >
          {(created) => <NewKeyReveal label={created().label} secret={created().key} onDone={() => setRevealed(null)} />}
        </Show>
        <ErrorNote message={rowError()} testId="keys-error" />
        <QueryState
          query={keys}
          data={keys.data}
          loading="Loading keys…"
          empty={
            <EmptyState icon="lock" title="No ingest keys yet" testId="keys-empty">
              <p>Create one above, give it to an agent, and its samples will chart on the dashboard as they arrive.</p>
            </EmptyState>
          }
        >
          {(list) => (
            <div class="card card--flush">
              <DataTable testId="keys-table" columns={['Label', 'Key', 'Created', 'Last used', ACTIONS_COLUMN]}>
                <For each={list()}>
                  {(item) => (
                    <tr data-testid="key-row" data-label={item.label} classList={{ 'table__row--muted': !!item.revokedAt }}>
                      <td class="member-name">{item.label}</td>
                      <td>
                        <code>{item.prefix}…</code>
                      </td>
                      <td class="nowrap">
                        <time datetime={item.createdAt} title={formatDateTime(item.createdAt)}>
                          {formatDate(item.createdAt)}
                        </time>
                      </td>
                      <td class="nowrap">
                        <Show when={item.lastUsedAt} fallback={<span class="muted">Never</span>}>
                          {(at) => (
                            <time datetime={at()} title={formatDateTime(at())}>
                              {formatRelativeTime(at())}
                            </time>
                          )}
                        </Show>
                      </td>
                      <td class="table__actions">
                        <Show
                          when={item.revokedAt}
                          fallback={
                            <ConfirmButton
                              label="Revoke"
                              ariaLabel={`Revoke ${item.label}`}
                              question="Agents using it stop at once."
                              onConfirm={() => revoke(item)}
                              onError={(cause) => setRowError(`Could not revoke "${item.label}": ${describeError(cause).message}`)}
                            />
                          }
                        >
                          {(at) => (
                            <span class="tag" title={formatDateTime(at())} data-testid="key-revoked">
                              Revoked {formatDate(at())}
                            </span>
                          )}
                        </Show>
                      </td>
                    </tr>
                  )}
                </For>
              </DataTable>
            </div>
          )}
        </QueryState>
      </Show>
    </div>
  );
}
