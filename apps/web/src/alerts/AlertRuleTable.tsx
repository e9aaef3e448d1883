// The workspace's alert rules: condition, scope, webhook, the session it posts into, what fires
// now; admins delete here.
import { A, useParams } from '@solidjs/router';
import { createSignal, For, Show } from 'solid-js';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { ACTIONS_COLUMN, DataTable } from '../components/DataTable.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { describeError } from '../errors.ts';
import type { AlertRule } from './api.ts';
import { formatDuration, metricFormat } from '../metrics/panels.ts';

function describeCondition(rule: Pick<AlertRule, 'metric' | 'agg' | 'op' | 'threshold' | 'windowMs'>): string {
  const what = rule.metric === 'throughput' || rule.metric === 'error_rate' ? rule.metric : `${rule.agg} ${rule.metric}`;
  return `${what} ${rule.op} ${metricFormat(rule.metric)(rule.threshold)} over ${formatDuration(rule.windowMs)}`;
}

export function AlertRuleTable(props: { rules: AlertRule[]; canDelete: boolean; onDelete: (rule: AlertRule) => Promise<unknown> }) {
  const params = useParams();
  const [error, setError] = createSignal<string | null>(null);

  return (
    <>
      <ErrorNote message={error()} testId="alert-rule-error" />
      <div class="card card--flush">
        <DataTable testId="alert-rules" columns={['Rule', 'Agents', 'Condition', 'Now', ...(props.canDelete ? [ACTIONS_COLUMN] : [])]}>
          <For each={props.rules}>
            {(rule) => (
              <tr data-testid="alert-rule" data-rule={rule.name}>
                <td>
                  <span class="alert-rule__name">{rule.name}</span>
                  <Show when={rule.webhookUrl}>
                    <span class="alert-rule__webhook muted" title={rule.webhookUrl ?? ''}>
                      webhook {rule.webhookUrl}
                    </span>
                  </Show>
                  <Show when={rule.conversation}>
                    {(session) => (
                      <span class="alert-rule__webhook muted" data-testid="alert-rule-session">
                        posts into <A href={`/w/${params.workspaceId ?? ''}/sessions/${session().id}`}>{session().title}</A>
                      </span>
                    )}
                  </Show>
                  <Show when={rule.lastDelivery}>
                    {(d) => (
                      <span
                        class={`alert-rule__delivery${d().state === 'failed' ? ' alert-rule__delivery--failed' : ''}`}
                        data-testid="webhook-delivery"
                        data-state={d().state}
                      >
                        Last delivery: {deliveryState(d())}
                        {d().error ? ` — ${d().error}` : ''}
                      </span>
                    )}
                  </Show>
                </td>
                <td>{rule.agentName ?? <span class="muted">All agents</span>}</td>
                <td>
                  <code>{describeCondition(rule)}</code>
                </td>
                <td class="nowrap">
                  <Show when={rule.firing.length > 0} fallback={<span class="muted">Quiet</span>}>
                    <span class="alert-kind alert-kind--fired" title={rule.firing.map((f) => f.agentName).join(', ')}>
                      Firing · {rule.firing.length}
                    </span>
                  </Show>
                </td>
                <Show when={props.canDelete}>
                  <td class="table__actions">
                    <ConfirmButton
                      label="Delete"
                      ariaLabel={`Delete rule ${rule.name}`}
                      question="Delete this rule?"
                      onConfirm={() => {
                        setError(null);
                        return props.onDelete(rule);
                      }}
                      onError={(cause) => setError(`Could not delete "${rule.name}": ${describeError(cause).message}`)}
                    />
                  </td>
                </Show>
              </tr>
            )}
          </For>
        </DataTable>
      </div>
    </>
  );
}

/** "delivered", "failed", "sending" (not tried yet) or "retrying after 2 failed attempts" (scheduled exports' webhooks read the same). */
export function deliveryState(d: { state: string; attempts: number }): string {
  if (d.state !== 'pending') return d.state;
  return d.attempts === 0 ? 'sending' : `retrying after ${d.attempts} failed attempt${d.attempts === 1 ? '' : 's'}`;
}
