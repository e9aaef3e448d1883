// Deployment-wide queue figures, shown to the deployment's operators only (OPERATOR_EMAILS): the
// server refuses everyone else, and then this section shows nothing.
import { useQuery } from '@tanstack/solid-query';
import { For, Show } from 'solid-js';
import { DataTable } from '../components/DataTable.tsx';
import { trpc } from '../trpc.ts';

const age = (ms: number | null) => (ms === null ? '—' : ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

export function QueuesSection() {
  const queues = useQuery(() => ({
    queryKey: ['jobs.queues'],
    queryFn: () => trpc.jobs.queues.query(),
    retry: false,
  }));
  return (
    <Show when={queues.data}>
      {(data) => (
        <section class="stack" aria-labelledby="queues-title" data-testid="queues">
          <div class="section-head">
            <h2 id="queues-title" class="section-head__title">Queues (whole deployment)</h2>
            <button class="button button--small" type="button" onClick={() => void queues.refetch()}>Refresh</button>
          </div>
          <div class="card card--flush">
            <DataTable testId="queues-table" columns={['Queue', 'Waiting', 'Active', 'Delayed', 'Failed', 'Oldest waiting', 'Per minute']}>
              <For each={data().queues}>
                {(q) => (
                  <tr>
                    <td><code>{q.queue}</code></td>
                    <td>{q.waiting}</td>
                    <td>{q.active}</td>
                    <td>{q.delayed}</td>
                    <td>{q.failed}</td>
                    <td>{age(q.oldestWaitingMs)}</td>
                    <td>{q.perMinute}</td>
                  </tr>
                )}
              </For>
            </DataTable>
          </div>
        </section>
      )}
    </Show>
  );
}
