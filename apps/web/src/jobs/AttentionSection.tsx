// The Jobs page's "Needs attention": assistant runs that failed or timed out (with their reason and
// a link to the conversation) and webhook deliveries that gave up (alert rules' and scheduled
// exports'), each with Retry. From jobs.list; jobs.events pushes refresh it (jobsFeed.ts).
import { A } from '@solidjs/router';
import { useQuery } from '@tanstack/solid-query';
import { createSignal, For, Show } from 'solid-js';
import { ACTIONS_COLUMN, DataTable } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { describeError } from '../errors.ts';
import { trpc } from '../trpc.ts';
import { jobsListKey } from './jobsFeed.ts';

type Jobs = Awaited<ReturnType<typeof trpc.jobs.list.query>>;
type FailedWebhook = Jobs['failedWebhooks'][number];

const when = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function deliveryLabel(w: FailedWebhook): string {
  if (w.source === 'alert') return `Alert "${w.ruleName}" ${w.kind}`;
  return `Scheduled ${w.exportKind} export (${w.format.toUpperCase()}) ${w.kind === 'export.completed' ? 'completed' : 'failed'}`;
}

export function AttentionSection(props: { workspaceId: string }) {
  const jobs = useQuery(() => ({
    queryKey: jobsListKey(props.workspaceId),
    queryFn: () => trpc.jobs.list.query({ workspaceId: props.workspaceId }),
    enabled: props.workspaceId !== '',
  }));
  const [error, setError] = createSignal<string | null>(null);
  const [retrying, setRetrying] = createSignal<string | null>(null);
  const retry = async (w: FailedWebhook) => {
    const key = w.source === 'alert' ? `alert-${w.seq}` : `export-${w.exportId}`;
    setError(null);
    setRetrying(key);
    try {
      await trpc.jobs.retry.mutate(w.source === 'alert'
        ? { workspaceId: props.workspaceId, kind: 'webhook', seq: w.seq }
        : { workspaceId: props.workspaceId, kind: 'exportWebhook', exportId: w.exportId });
      await jobs.refetch();
    } catch (cause) {
      setError(`Could not retry the delivery: ${describeError(cause).message}`);
    } finally {
      setRetrying(null);
    }
  };
  // One list for QueryState's empty state: the section is empty when both tables are.
  const problems = () => (jobs.data ? [...jobs.data.failedRuns, ...jobs.data.failedWebhooks] : undefined);

  return (
    <section class="stack" aria-labelledby="attention-title" data-testid="attention">
      <div class="section-head">
        <h2 id="attention-title" class="section-head__title">Needs attention</h2>
        <span class="muted section-head__note">Failed assistant runs and webhook deliveries that gave up, newest first.</span>
      </div>
      <ErrorNote message={error()} testId="attention-error" />
      <QueryState
        query={jobs}
        data={problems()}
        loading="Loading jobs…"
        empty={
          <EmptyState icon="jobs" title="Nothing needs attention" testId="attention-empty">
            <p>Assistant runs that fail and webhook deliveries that give up after their retries show here, with the reason.</p>
          </EmptyState>
        }
      >
        {() => (
          <>
            <Show when={jobs.data!.failedRuns.length}>
              <div class="card card--flush">
                <DataTable testId="failed-runs" columns={['Assistant run', 'When', 'Reason']}>
                  <For each={jobs.data!.failedRuns}>
                    {(r) => (
                      <tr data-testid="failed-run" data-run={r.id}>
                        <td>
                          <A href={`/w/${props.workspaceId}/sessions/${r.conversationId}`}>{r.conversationTitle}</A>{' '}
                          <span class={`export-status export-status--${r.status === 'timeout' ? 'cancelled' : 'failed'}`}>{r.status === 'timeout' ? 'timed out' : 'failed'}</span>
                        </td>
                        <td class="nowrap">{when(r.at)}</td>
                        <td class="export__error" data-testid="failed-run-reason">{r.reason}</td>
                      </tr>
                    )}
                  </For>
                </DataTable>
              </div>
            </Show>
            <Show when={jobs.data!.failedWebhooks.length}>
              <div class="card card--flush">
                <DataTable testId="failed-webhooks" columns={['Webhook delivery', 'When', 'Attempts', 'Reason', ACTIONS_COLUMN]}>
                  <For each={jobs.data!.failedWebhooks}>
                    {(w) => {
                      const key = w.source === 'alert' ? `alert-${w.seq}` : `export-${w.exportId}`;
                      return (
                        <tr data-testid="failed-webhook" data-source={w.source}>
                          <td>{deliveryLabel(w)}</td>
                          <td class="nowrap">{when(w.at)}</td>
                          <td>{w.attempts}</td>
                          <td class="export__error" data-testid="failed-webhook-reason">{w.reason}</td>
                          <td class="table__actions">
                            <button class="button button--small" type="button" data-testid="failed-webhook-retry" disabled={retrying() === key} onClick={() => void retry(w)}>
                              {retrying() === key ? 'Retrying…' : 'Retry'}
                            </button>
                          </td>
                        </tr>
                      );
                    }}
                  </For>
                </DataTable>
              </div>
            </Show>
          </>
        )}
      </QueryState>
    </section>
  );
}
