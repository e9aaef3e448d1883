// The workspace's alert rules: condition, scope, webhook, what fires now; admins delete here.
import { createSignal, For, Show } from 'solid-js';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { describeError } from '../errors.ts';
import type { AlertRule } from './api.ts';
import { formatDuration, metricFormat } from './panels.ts';

function describeCondition(rule: Pick<AlertRule, 'metric' | 'agg' | 'op' | 'threshold' | 'windowMs'>): string {
  const what = rule.metric === 'throughput' || rule.metric === 'error_rate' ? rule.metric : `${rule.agg} ${rule.metric}`;
  return `${what} ${rule.op} ${metricFormat(rule.metric)(rule.threshold)} over ${formatDuration(rule.windowMs)}`;
}

export function AlertRuleTable(props: { rules: AlertRule[]; canDelete: boolean; onDelete: (rule: AlertRule) => Promise<unknown> }) {
  const [confirming, setConfirming] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);

  const remove = async (rule: AlertRule) => {
    setBusy(rule.id);
    setError(null);
    try {
      await props.onDelete(rule);
      setConfirming(null);
    } catch (cause) {
      setError(`Could not delete "${rule.name}": ${describeError(cause).message}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <ErrorNote message={error()} testId="alert-rule-error" />
      <div class="card card--flush">
        <table class="table" data-testid="alert-rules">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Agents</th>
              <th scope="col">Condition</th>
              <th scope="col">Now</th>
              <Show when={props.canDelete}>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </Show>
            </tr>
          </thead>
          <tbody>
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
                      <Show
                        when={confirming() === rule.id}
                        fallback={
                          <button
                            class="button button--ghost button--small button--danger-text"
                            type="button"
                            aria-label={`Delete rule ${rule.name}`}
                            onClick={() => setConfirming(rule.id)}
                          >
                            Delete
                          </button>
                        }
                      >
                        <span class="confirm">
                          <span class="confirm__text">Delete this rule?</span>
                          <button class="button button--danger button--small" type="button" disabled={busy() === rule.id} onClick={() => void remove(rule)}>
                            Delete
                          </button>
                          <button class="button button--small" type="button" onClick={() => setConfirming(null)}>
                            Cancel
                          </button>
                        </span>
                      </Show>
                    </td>
                  </Show>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </>
  );
}

/** "delivered", "failed", "sending" (not tried yet) or "retrying after 2 failed attempts". */
function deliveryState(d: { state: string; attempts: number }): string {
  if (d.state !== 'pending') return d.state;
  return d.attempts === 0 ? 'sending' : `retrying after ${d.attempts} failed attempt${d.attempts === 1 ? '' : 's'}`;
}
