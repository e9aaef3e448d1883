// The Jobs page's exports: status, a live progress bar, and download / cancel / retry per export.
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { ACTIONS_COLUMN, DataTable } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { describeError } from '../errors.ts';
import type { createExports, ExportView } from './exports.ts';

const KIND_LABELS: Record<ExportView['kind'], string> = {
  conversations: 'Conversations', messages: 'Messages', metrics: 'Metric samples', audit: 'Audit log', tasks: 'Tasks',
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

const when = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function Progress(props: { e: ExportView }) {
  return (
    <div class="export-progress" data-testid="export-progress" data-status={props.e.status}>
      <Show when={props.e.status === 'running' || props.e.status === 'queued'}>
        {/* Two elements, not value={percent ?? undefined}: Solid sets `value` as a property, and
            progress.value = undefined throws (non-finite), which stops the page's updates. A bar
            without a value is the indeterminate one. */}
        <Show when={props.e.percent !== null} fallback={<progress class="export-progress__bar" max="100" aria-label="Export progress" />}>
          <progress class="export-progress__bar" max="100" value={props.e.percent ?? 0} aria-label={`Export progress: ${props.e.percent ?? 0}%`} />
        </Show>
      </Show>
      <span class="muted export-progress__figures">
        {props.e.rows.toLocaleString()} rows · {formatBytes(props.e.bytes)}
        {props.e.status === 'running' && props.e.percent !== null ? ` · ${props.e.percent}%` : ''}
      </span>
    </div>
  );
}

export function ExportsSection(props: { exports: ReturnType<typeof createExports> }) {
  const [error, setError] = createSignal<string | null>(null);
  const act = (what: string, fn: () => Promise<unknown>) => {
    setError(null);
    fn().catch((cause: unknown) => setError(`Could not ${what}: ${describeError(cause).message}`));
  };

  return (
    <section class="stack" aria-labelledby="exports-title">
      <div class="section-head">
        <h2 id="exports-title" class="section-head__title">
          Exports
        </h2>
        <span class="muted section-head__note">{props.exports.live() ? 'Live — progress updates as it happens.' : 'Connecting…'}</span>
      </div>
      <ErrorNote message={props.exports.liveError() ?? error()} testId="exports-error" />
      <QueryState
        query={props.exports.list}
        data={props.exports.list.data}
        loading="Loading exports…"
        errorTestId="exports-load-error"
        empty={
          <EmptyState icon="jobs" title="No exports yet" testId="exports-empty">
            <p>Export conversations, messages, metric samples, tasks or the audit log with the form above; the file is kept for a week.</p>
          </EmptyState>
        }
      >
        {(list) => (
          <div class="card card--flush">
            <DataTable testId="exports" columns={['Export', 'Requested', 'Status', 'Progress', ACTIONS_COLUMN]}>
              <For each={list()}>
                {(e) => (
                  <tr data-testid="export-row" data-export={e.id} data-status={e.status}>
                    <td>
                      <span class="export__kind">{KIND_LABELS[e.kind]}</span>{' '}
                      <span class="muted">
                        {e.format.toUpperCase()}
                        {e.gzip ? ' · gzip' : ''}
                      </span>
                    </td>
                    <td class="nowrap">{when(e.createdAt)}</td>
                    <td>
                      <span class={`export-status export-status--${e.status}`} data-testid="export-status">
                        {e.status}
                      </span>
                      <Show when={e.error}>
                        <span class="export__error" data-testid="export-reason">
                          {e.error}
                        </span>
                      </Show>
                    </td>
                    <td>
                      <Progress e={e} />
                    </td>
                    <td class="table__actions">
                      <Switch>
                        <Match when={e.status === 'completed' && e.downloadUrl}>
                          <a class="button button--small" href={e.downloadUrl!} download={e.fileName ?? ''} data-testid="export-download">
                            Download
                          </a>
                        </Match>
                        <Match when={e.status === 'queued' || e.status === 'running'}>
                          <button class="button button--small" type="button" data-testid="export-cancel" onClick={() => act('cancel the export', () => props.exports.cancel(e))}>
                            Cancel
                          </button>
                        </Match>
                        <Match when={e.status === 'failed' || e.status === 'cancelled'}>
                          <button class="button button--small" type="button" data-testid="export-retry" onClick={() => act('retry the export', () => props.exports.retry(e))}>
                            Retry
                          </button>
                        </Match>
                      </Switch>
                    </td>
                  </tr>
                )}
              </For>
            </DataTable>
          </div>
        )}
      </QueryState>
    </section>
  );
}
