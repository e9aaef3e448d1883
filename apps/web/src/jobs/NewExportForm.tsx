// "New export" (admins): what to export, the format, the time range, agents for metric samples,
// gzip. The export runs as a job; its progress shows in the list below.
import { createSignal, For, Show } from 'solid-js';
import { EXPORT_FORMATS, EXPORT_KINDS, type ExportFormat, type ExportKind } from '@tandem/schema';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field } from '../components/Field.tsx';
import { describeError } from '../errors.ts';
import type { ExportView, NewExportInput } from './exports.ts';

const KIND_OPTIONS: Record<ExportKind, string> = {
  conversations: 'Conversations (one row each)',
  messages: 'Messages (with conversation, author, tokens, cost)',
  metrics: 'Metric samples (raw)',
  audit: 'Audit log',
  tasks: 'Tasks',
};
const RANGES = [
  { label: 'Last hour', ms: 3600_000 },
  { label: 'Last 24 hours', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
  { label: 'Last 30 days', ms: 30 * 86_400_000 },
  { label: 'Everything', ms: 0 },
] as const;

export function NewExportForm(props: {
  workspaceId: string;
  agents: { id: string; name: string }[];
  onCreate: (input: NewExportInput) => Promise<ExportView>;
}) {
  const [kind, setKind] = createSignal<ExportKind>('messages');
  const [format, setFormat] = createSignal<ExportFormat>('csv');
  const [rangeMs, setRangeMs] = createSignal<number>(86_400_000);
  const [agentIds, setAgentIds] = createSignal<string[]>([]);
  const [gzip, setGzip] = createSignal(false);
  const [saving, setSaving] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [created, setCreated] = createSignal<string | null>(null);

  const toggleAgent = (id: string, on: boolean) => setAgentIds((ids) => (on ? [...ids, id] : ids.filter((x) => x !== id)));

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(null);
    setCreated(null);
    setSaving(true);
    try {
      const to = Date.now();
      await props.onCreate({
        workspaceId: props.workspaceId,
        kind: kind(),
        format: format(),
        gzip: gzip(),
        ...(rangeMs() ? { from: to - rangeMs(), to } : {}),
        ...(kind() === 'metrics' && agentIds().length ? { agentIds: agentIds() } : {}),
      });
      setCreated('Export started; it appears below.');
    } catch (cause) {
      setError(describeError(cause).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="card export-form" aria-labelledby="export-form-title" data-testid="new-export-form" novalidate onSubmit={(e) => void submit(e)}>
      <h2 id="export-form-title" class="card__title">
        New export
      </h2>
      <div class="export-form__grid">
        <Field id="export-kind" label="What">
          {(control) => (
            <select id={control.id} class="select" value={kind()} onChange={(e) => setKind(e.currentTarget.value as ExportKind)}>
              <For each={[...EXPORT_KINDS]}>{(k) => <option value={k}>{KIND_OPTIONS[k]}</option>}</For>
            </select>
          )}
        </Field>
        <Field id="export-format" label="Format">
          {(control) => (
            <select id={control.id} class="select" value={format()} onChange={(e) => setFormat(e.currentTarget.value as ExportFormat)}>
              <For each={[...EXPORT_FORMATS]}>{(f) => <option value={f}>{f === 'csv' ? 'CSV (spreadsheets)' : f === 'json' ? 'JSON (one array)' : 'NDJSON (one object a line)'}</option>}</For>
            </select>
          )}
        </Field>
        <Field id="export-range" label="Time range">
          {(control) => (
            <select id={control.id} class="select" value={rangeMs()} onChange={(e) => setRangeMs(Number(e.currentTarget.value))}>
              <For each={[...RANGES]}>{(r) => <option value={r.ms}>{r.label}</option>}</For>
            </select>
          )}
        </Field>
        <label class="checkbox export-form__gzip">
          <input type="checkbox" checked={gzip()} onChange={(e) => setGzip(e.currentTarget.checked)} data-testid="export-gzip" /> Compress (gzip)
        </label>
      </div>
      <Show when={kind() === 'metrics'}>
        <fieldset class="export-form__agents" data-testid="export-agents">
          <legend>Agents {agentIds().length ? `(${agentIds().length})` : '(all)'}</legend>
          <Show when={props.agents.length} fallback={<p class="muted">No agents yet: the export will be empty.</p>}>
            <For each={props.agents}>
              {(agent) => (
                <label class="checkbox">
                  <input type="checkbox" checked={agentIds().includes(agent.id)} onChange={(e) => toggleAgent(agent.id, e.currentTarget.checked)} /> {agent.name}
                </label>
              )}
            </For>
          </Show>
        </fieldset>
      </Show>
      <div class="row">
        <button class="button button--primary" type="submit" disabled={saving()} data-testid="create-export">
          {saving() ? 'Starting…' : 'Start export'}
        </button>
        <Show when={created()}>
          <span class="success-note" role="status">
            {created()}
          </span>
        </Show>
      </div>
      <ErrorNote message={error()} testId="export-form-error" />
    </form>
  );
}
