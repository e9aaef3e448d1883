// The assistant's month on the Costs page: what the workspace's questions cost so far, against its
// monthly budget; admins set or clear the budget here, and see why questions are refused.
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import { createSignal, Show } from 'solid-js';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field } from '../components/Field.tsx';
import { describeError } from '../errors.ts';
import { formatUsd } from '../metrics/panels.ts';
import { trpc } from '../trpc.ts';

export function AssistantBudget(props: { workspaceId: string; isAdmin: boolean }) {
  const client = useQueryClient();
  const usage = useQuery(() => ({
    queryKey: ['usage.assistant', props.workspaceId],
    queryFn: () => trpc.usage.assistant.query({ workspaceId: props.workspaceId }),
    enabled: props.workspaceId !== '',
  }));
  const [draft, setDraft] = createSignal('');
  const [saving, setSaving] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const save = async (monthlyBudgetUsd: number | null) => {
    setSaving(true);
    setError(null);
    try {
      await trpc.workspace.setBudget.mutate({ workspaceId: props.workspaceId, monthlyBudgetUsd });
      setDraft('');
      await client.invalidateQueries({ queryKey: ['usage.assistant', props.workspaceId] });
    } catch (cause) {
      setError(describeError(cause).message);
    } finally {
      setSaving(false);
    }
  };
  const share = () => {
    const w = usage.data?.workspace;
    return w?.budgetUsd ? Math.min(1, w.monthCostUsd / w.budgetUsd) : 0;
  };

  return (
    <section class="card assistant-budget" data-testid="assistant-budget" aria-labelledby="assistant-budget-title">
      <h2 id="assistant-budget-title" class="card__title">Assistant this month</h2>
      <Show when={usage.data} fallback={<p class="muted">{usage.isError ? describeError(usage.error).message : 'Adding up…'}</p>}>
        {(data) => (
          <>
            <p class="assistant-budget__figure" data-testid="assistant-spend">
              <strong>{formatUsd(data().workspace.monthCostUsd)}</strong>
              <Show when={data().workspace.budgetUsd !== null} fallback={<span class="muted"> spent · no monthly budget</span>}>
                <span class="muted"> of {formatUsd(data().workspace.budgetUsd ?? 0)} budget</span>
              </Show>
            </p>
            <Show when={data().workspace.budgetUsd !== null}>
              <span class="share-bar share-bar--wide" role="progressbar" aria-label="Budget used" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share() * 100)}>
                <span class="share-bar__fill" classList={{ 'share-bar__fill--over': data().workspace.overBudget }} style={{ width: `${Math.max(1, share() * 100)}%` }} />
              </span>
            </Show>
            <Show when={data().workspace.overBudget}>
              <p class="error-note" role="status" data-testid="assistant-over-budget">
                The budget is reached: new questions are refused until the 1st of next month{props.isAdmin ? ', or until you raise it below' : '; an admin can raise it'}.
              </p>
            </Show>
          </>
        )}
      </Show>
      <Show when={props.isAdmin}>
        <form
          class="assistant-budget__form"
          onSubmit={(event) => {
            event.preventDefault();
            const value = Number(draft());
            if (draft().trim() === '' || !Number.isFinite(value)) return setError('Enter a monthly budget in US dollars, e.g. 50');
            void save(value);
          }}
        >
          <Field id="assistant-budget-input" label="Monthly budget (USD)" hint="Questions are refused once the month's assistant spend reaches it.">
            {(control) => (
              <input {...control} class="input" inputmode="decimal" data-testid="assistant-budget-input" value={draft()} onInput={(e) => setDraft(e.currentTarget.value)} placeholder={usage.data?.workspace.budgetUsd?.toString() ?? 'e.g. 50'} />
            )}
          </Field>
          <div class="assistant-budget__actions">
            <button class="button button--primary" type="submit" disabled={saving()} data-testid="assistant-budget-save">
              {saving() ? 'Saving…' : 'Set budget'}
            </button>
            <Show when={usage.data?.workspace.budgetUsd !== null && usage.data !== undefined}>
              <button class="button" type="button" disabled={saving()} onClick={() => void save(null)} data-testid="assistant-budget-clear">
                Remove budget
              </button>
            </Show>
          </div>
          <ErrorNote message={error()} testId="assistant-budget-error" />
        </form>
      </Show>
    </section>
  );
}
