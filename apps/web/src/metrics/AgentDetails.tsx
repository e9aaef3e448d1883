// An agent's metadata — owner, model, version, tags, status thresholds — read-only for most,
// editable by admins (agent.update).
import { createSignal, For, Show } from 'solid-js';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field } from '../components/Field.tsx';
import { describeError } from '../errors.ts';
import type { Agent, AgentUpdate } from './api.ts';
import { formatDuration, formatMs } from './panels.ts';

function Thresholds(props: { thresholds: Agent['thresholds'] }) {
  return (
    <>
      <div class="details__pair">
        <dt>Degraded above p95</dt>
        <dd>{props.thresholds.latencyMs === null ? 'not set' : formatMs(props.thresholds.latencyMs)}</dd>
      </div>
      <div class="details__pair">
        <dt>Degraded above error rate</dt>
        <dd>{props.thresholds.errorRate === null ? 'not set' : `${(props.thresholds.errorRate * 100).toFixed(1)} %`}</dd>
      </div>
      <div class="details__pair">
        <dt>Down after silence of</dt>
        <dd>{formatDuration(props.thresholds.downAfterMs)}</dd>
      </div>
    </>
  );
}

type Draft = Record<'owner' | 'model' | 'version' | 'tags' | 'latencyMs' | 'errorRatePct' | 'downAfterS', string>;

function draftOf(agent: Agent): Draft {
  return {
    owner: agent.owner ?? '',
    model: agent.model ?? '',
    version: agent.version ?? '',
    tags: agent.tags.join(', '),
    latencyMs: agent.thresholds.latencyMs === null ? '' : String(agent.thresholds.latencyMs),
    errorRatePct: agent.thresholds.errorRate === null ? '' : String(+(agent.thresholds.errorRate * 100).toFixed(4)),
    downAfterS: String(agent.thresholds.downAfterMs / 1000),
  };
}

/** Turns the form into agent.update's input, or says which fields are wrong. */
function parseDraft(draft: Draft): { update?: Omit<AgentUpdate, 'workspaceId' | 'agentId'>; errors: Partial<Record<keyof Draft, string>> } {
  const errors: Partial<Record<keyof Draft, string>> = {};
  const optionalNumber = (key: keyof Draft, min: number, max: number, message: string) => {
    const text = draft[key].trim();
    if (text === '') return null;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max) errors[key] = message;
    return value;
  };
  const latencyMs = optionalNumber('latencyMs', 1, 86_400_000, 'A number of milliseconds above 0.');
  const errorRatePct = optionalNumber('errorRatePct', 0, 100, 'A percentage from 0 to 100.');
  const downAfterS = optionalNumber('downAfterS', 5, 86_400, 'From 5 to 86,400 seconds.');
  if (downAfterS === null) errors.downAfterS = 'From 5 to 86,400 seconds.';
  const tags = draft.tags.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length > 20) errors.tags = 'At most 20 tags.';
  if (tags.some((t) => t.length > 40)) errors.tags = 'Tags are at most 40 characters.';
  if (Object.keys(errors).length > 0) return { errors };
  const text = (value: string) => value.trim() || null;
  return {
    errors,
    update: {
      owner: text(draft.owner),
      model: text(draft.model),
      version: text(draft.version),
      tags,
      thresholds: {
        latencyMs,
        errorRate: errorRatePct === null ? null : errorRatePct / 100,
        downAfterMs: Math.round((downAfterS ?? 60) * 1000),
      },
    },
  };
}

const fields: { key: keyof Draft; label: string; placeholder?: string; numeric?: boolean }[] = [
  { key: 'owner', label: 'Owner', placeholder: 'Team or person on call' },
  { key: 'model', label: 'Model', placeholder: 'e.g. gpt-4o-mini' },
  { key: 'version', label: 'Version', placeholder: 'e.g. 2.3.1' },
  { key: 'tags', label: 'Tags', placeholder: 'Comma-separated: prod, checkout' },
  { key: 'latencyMs', label: 'Degraded above p95 latency (ms)', placeholder: 'Not set', numeric: true },
  { key: 'errorRatePct', label: 'Degraded above error rate (%)', placeholder: 'Not set', numeric: true },
  { key: 'downAfterS', label: 'Down after silence of (s)', numeric: true },
];

export function AgentDetails(props: { agent: Agent; canEdit: boolean; onSave: (update: Omit<AgentUpdate, 'workspaceId' | 'agentId'>) => Promise<unknown> }) {
  const [draft, setDraft] = createSignal<Draft | null>(null);
  const [errors, setErrors] = createSignal<Partial<Record<keyof Draft, string>>>({});
  const [formError, setFormError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const current = draft();
    if (!current) return;
    const parsed = parseDraft(current);
    setErrors(parsed.errors);
    setFormError(null);
    if (!parsed.update) return;
    setSaving(true);
    try {
      await props.onSave(parsed.update);
      setDraft(null);
    } catch (cause) {
      const view = describeError(cause);
      const mapped: Partial<Record<keyof Draft, string>> = {};
      for (const key of ['owner', 'model', 'version', 'tags'] as const) if (view.fieldErrors[key]) mapped[key] = view.fieldErrors[key][0];
      setErrors(mapped);
      setFormError(view.message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section class="card agent-details" aria-labelledby="agent-details-title" data-testid="agent-details">
      <div class="agent-details__head">
        <h2 id="agent-details-title" class="card__title">
          Details
        </h2>
        <Show when={props.canEdit && !draft()}>
          <button class="button button--small" type="button" data-testid="edit-agent" onClick={() => setDraft(draftOf(props.agent))}>
            Edit
          </button>
        </Show>
      </div>
      <Show
        when={draft()}
        fallback={
          <dl class="details agent-details__list">
            <div class="details__pair">
              <dt>Owner</dt>
              <dd data-testid="agent-owner">{props.agent.owner ?? 'not set'}</dd>
            </div>
            <div class="details__pair">
              <dt>Model</dt>
              <dd>{props.agent.model ?? 'not set'}</dd>
            </div>
            <div class="details__pair">
              <dt>Version</dt>
              <dd>{props.agent.version ?? 'not set'}</dd>
            </div>
            <div class="details__pair">
              <dt>Tags</dt>
              <dd>
                <Show when={props.agent.tags.length > 0} fallback="none">
                  <For each={props.agent.tags}>{(tag) => <span class="tag tag--plain">{tag}</span>}</For>
                </Show>
              </dd>
            </div>
            <Thresholds thresholds={props.agent.thresholds} />
          </dl>
        }
      >
        {(current) => (
          <form class="agent-form" novalidate onSubmit={(e) => void save(e)}>
            <div class="agent-form__grid">
              <For each={fields}>
                {(field) => (
                  <Field id={`agent-${field.key}`} label={field.label} error={errors()[field.key]}>
                    {(control) => (
                      <input
                        {...control}
                        class="input"
                        inputmode={field.numeric ? 'decimal' : undefined}
                        placeholder={field.placeholder}
                        value={current()[field.key]}
                        onInput={(e) => setDraft({ ...current(), [field.key]: e.currentTarget.value })}
                      />
                    )}
                  </Field>
                )}
              </For>
            </div>
            <ErrorNote message={formError()} testId="agent-form-error" />
            <div class="row row--end">
              <button class="button" type="button" onClick={() => setDraft(null)}>
                Cancel
              </button>
              <button class="button button--primary" type="submit" disabled={saving()} data-testid="save-agent">
                {saving() ? 'Saving…' : 'Save'}
              </button>
            </div>
          </form>
        )}
      </Show>
    </section>
  );
}
