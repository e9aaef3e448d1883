// Ingest keys (admins): what agents use to send samples. A new key is shown once, with a copy
// button and a ready-to-run request; keys can be revoked, which takes effect at once.
import { useParams } from '@solidjs/router';
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { describeError } from '../errors.ts';
import { createWorkspaceAccess } from '../me.ts';
import type { IngestKey } from '../metrics/api.ts';
import { CopyBlock, curlExample } from '../metrics/IngestExample.tsx';
import { MetricsTabs } from '../metrics/MetricsTabs.tsx';
import { formatDate, formatDateTime, formatRelativeTime } from '../time.ts';
import { trpc } from '../trpc.ts';

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
        <div class="field">
          <label for="key-label">Label</label>
          <input
            id="key-label"
            class="input"
            maxlength="80"
            placeholder="e.g. checkout-bot production"
            value={label()}
            aria-invalid={error().label ? 'true' : undefined}
            onInput={(e) => setLabel(e.currentTarget.value)}
          />
        </div>
        <button class="button button--primary" type="submit" disabled={saving()} data-testid="create-key">
          {saving() ? 'Creating…' : 'Create key'}
        </button>
      </div>
      <Show when={error().label}>
        <span class="field__error" data-testid="key-label-error">
          {error().label}
        </span>
      </Show>
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
  const [confirming, setConfirming] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal<string | null>(null);
  const [rowError, setRowError] = createSignal<string | null>(null);

  const keys = useQuery(() => ({
    queryKey: key(),
    queryFn: () => trpc.ingestKey.list.query({ workspaceId: workspaceId() }),
    enabled: access.isAdmin(),
  }));

  const revoke = async (item: IngestKey) => {
    setBusy(item.id);
    setRowError(null);
    try {
      const updated = await trpc.ingestKey.revoke.mutate({ workspaceId: workspaceId(), keyId: item.id });
      queryClient.setQueryData<IngestKey[]>(key(), (list) => list?.map((k) => (k.id === updated.id ? updated : k)));
      setConfirming(null);
    } catch (cause) {
      setRowError(`Could not revoke "${item.label}": ${describeError(cause).message}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div class="page page--wide">
      <PageHeader title="Metrics" description="Ingest keys: how agents authenticate when they send samples." />
      <MetricsTabs workspaceId={workspaceId()} isAdmin={access.isAdmin()} />
      <Switch>
        <Match when={!access.isAdmin()}>
          <EmptyState icon="lock" title="Admins only" testId="keys-forbidden">
            <p>Ingest keys are managed by workspace admins. Ask one for a key for your agent.</p>
          </EmptyState>
        </Match>
        <Match when={access.isAdmin()}>
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
          <Switch>
            <Match when={keys.isPending}>
              <div class="card skeleton" aria-busy="true">
                Loading keys…
              </div>
            </Match>
            <Match when={keys.isError}>
              <ErrorNote message={describeError(keys.error).message} />
            </Match>
            <Match when={(keys.data ?? []).length === 0}>
              <EmptyState icon="lock" title="No ingest keys yet" testId="keys-empty">
                <p>Create one above, give it to an agent, and its samples will chart on the dashboard as they arrive.</p>
              </EmptyState>
            </Match>
            <Match when={keys.data}>
              {(list) => (
                <div class="card card--flush">
                  <table class="table" data-testid="keys-table">
                    <thead>
                      <tr>
                        <th scope="col">Label</th>
                        <th scope="col">Key</th>
                        <th scope="col">Created</th>
                        <th scope="col">Last used</th>
                        <th scope="col">
                          <span class="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
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
                              <Switch>
                                <Match when={item.revokedAt}>
                                  {(at) => (
                                    <span class="tag" title={formatDateTime(at())} data-testid="key-revoked">
                                      Revoked {formatDate(at())}
                                    </span>
                                  )}
                                </Match>
                                <Match when={confirming() === item.id}>
                                  <span class="confirm">
                                    <span class="confirm__text">Agents using it stop at once.</span>
                                    <button
                                      class="button button--danger button--small"
                                      type="button"
                                      disabled={busy() === item.id}
                                      onClick={() => void revoke(item)}
                                    >
                                      Revoke
                                    </button>
                                    <button class="button button--small" type="button" onClick={() => setConfirming(null)}>
                                      Cancel
                                    </button>
                                  </span>
                                </Match>
                                <Match when={!item.revokedAt}>
                                  <button
                                    class="button button--ghost button--small button--danger-text"
                                    type="button"
                                    aria-label={`Revoke ${item.label}`}
                                    onClick={() => setConfirming(item.id)}
                                  >
                                    Revoke
                                  </button>
                                </Match>
                              </Switch>
                            </td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              )}
            </Match>
          </Switch>
        </Match>
      </Switch>
    </div>
  );
}
