// Conversation retention on the Jobs page: the workspace's period (or the deployment's default),
// the last sweep's report, a sweep now, and conversations awaiting purge with Restore.
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import { createSignal, For, Show } from 'solid-js';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field } from '../components/Field.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { describeError } from '../errors.ts';
import { trpc } from '../trpc.ts';
import { retentionKey } from './jobsFeed.ts';

const when = (ms: string | number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function RetentionSection(props: { workspaceId: string }) {
  const client = useQueryClient();
  const report = useQuery(() => ({
    queryKey: retentionKey(props.workspaceId),
    queryFn: () => trpc.retention.report.query({ workspaceId: props.workspaceId }),
    enabled: props.workspaceId !== '',
  }));
  const [days, setDays] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const run = async (what: string, fn: () => Promise<unknown>) => {
    setError(null);
    setBusy(true);
    try {
      await fn();
      await client.invalidateQueries({ queryKey: retentionKey(props.workspaceId) });
    } catch (cause) {
      setError(`Could not ${what}: ${describeError(cause).message}`);
    } finally {
      setBusy(false);
    }
  };
  const save = (e: Event) => {
    e.preventDefault();
    const value = days().trim();
    void run('save the period', () => trpc.retention.set.mutate({ workspaceId: props.workspaceId, conversationDays: value === '' ? null : Number(value) }));
  };

  return (
    <section class="stack" aria-labelledby="retention-title" data-testid="retention">
      <div class="section-head">
        <h2 id="retention-title" class="section-head__title">Conversation retention</h2>
        <span class="muted section-head__note">Swept daily; the audit log is kept forever.</span>
      </div>
      <QueryState query={report} data={report.data ? [report.data] : undefined} loading="Loading retention…" empty={null}>
        {(list) => {
          const r = () => list()[0]!;
          return (
            <div class="card stack">
              <p data-testid="retention-setting">
                Conversations without activity for <strong>{r().conversationDays} days</strong> are archived
                {r().workspaceDays === null ? ' (the deployment default)' : ''}, and purged {r().graceDays} days later unless an admin restores them.
              </p>
              <form class="row" novalidate onSubmit={save}>
                <Field id="retention-days" label="Days for this workspace" hint={`Empty: the default (${r().defaultDays})`}>
                  {(control) => <input {...control} class="input" inputMode="numeric" placeholder={String(r().conversationDays)} value={days()} onInput={(e) => setDays(e.currentTarget.value)} data-testid="retention-days" />}
                </Field>
                <button class="button" type="submit" disabled={busy()} data-testid="retention-save">Save</button>
                <button class="button" type="button" disabled={busy()} data-testid="retention-run" onClick={() => void run('sweep now', () => trpc.retention.run.mutate({ workspaceId: props.workspaceId }))}>
                  Sweep now
                </button>
              </form>
              <p data-testid="retention-last">
                <Show when={r().lastReport} fallback={<span class="muted">No sweep yet.</span>}>
                  {(last) => <>Last sweep {when(last().at)} ({last().trigger === 'manual' ? 'by an admin' : 'daily'}): {last().archived} archived, {last().purged} purged.</>}
                </Show>
              </p>
              <Show when={r().archived.length}>
                <ul class="stack" data-testid="retention-archived">
                  <For each={r().archived}>
                    {(c) => (
                      <li class="row">
                        <span>{c.title}</span>
                        <span class="muted">purged {when(c.purgeAt)}</span>
                        <button class="button button--small" type="button" onClick={() => void run('restore it', () => trpc.conversation.restore.mutate({ conversationId: c.id }))}>Restore</button>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </div>
          );
        }}
      </QueryState>
      <ErrorNote message={error()} testId="retention-error" />
    </section>
  );
}
