// The alert rule editor (admins): which agents, which metric and aggregate, the condition, the
// window, an optional webhook and an optional session its alerts are posted into.
import { createSignal, For, Show } from 'solid-js';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field, FieldError } from '../components/Field.tsx';
import { describeError } from '../errors.ts';
import type { Aggregate, MetricName } from '../metrics/api.ts';
import { aggregatesOf, METRIC_LABELS } from '../metrics/panels.ts';
import type { AlertOp, AlertRule, AlertRuleInput } from './api.ts';

const OPS: AlertOp[] = ['>', '>=', '<', '<='];
const WINDOW_UNITS = [
  { label: 'seconds', ms: 1000 },
  { label: 'minutes', ms: 60_000 },
  { label: 'hours', ms: 3600_000 },
] as const;
const MIN_WINDOW_MS = 10_000;
const MAX_WINDOW_MS = 86_400_000;

type RuleField = 'name' | 'agentId' | 'metric' | 'agg' | 'op' | 'threshold' | 'windowMs' | 'webhookUrl' | 'conversationId';
type FieldErrors = Partial<Record<RuleField, string>>;

/** Checks what it can before sending; the server's field errors (BAD_REQUEST fieldErrors) show under the same fields. */
export function AlertRuleForm(props: {
  workspaceId: string;
  agents: { id: string; name: string }[];
  /** Set on an agent's page: the rule is for that agent, no choice. */
  fixedAgentId?: string;
  /** Sessions fired/resolved can be posted into (none: no picker). */
  sessions?: { id: string; title: string }[];
  onCreate: (input: AlertRuleInput) => Promise<AlertRule>;
}) {
  const [name, setName] = createSignal('');
  const [agentId, setAgentId] = createSignal(props.fixedAgentId ?? '');
  const [metric, setMetric] = createSignal<MetricName>('latency_ms');
  const [agg, setAgg] = createSignal<Aggregate>('p95');
  const [op, setOp] = createSignal<AlertOp>('>');
  const [threshold, setThreshold] = createSignal('');
  const [windowValue, setWindowValue] = createSignal('5');
  const [windowUnit, setWindowUnit] = createSignal<number>(60_000);
  const [webhookUrl, setWebhookUrl] = createSignal('');
  const [conversationId, setConversationId] = createSignal('');
  const [errors, setErrors] = createSignal<FieldErrors>({});
  const [formError, setFormError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);
  const [created, setCreated] = createSignal<string | null>(null);

  const changeMetric = (next: MetricName) => {
    setMetric(next);
    const allowed = aggregatesOf(next);
    if (!allowed.includes(agg())) setAgg(allowed[0] ?? 'avg');
  };

  function validate(): { input?: AlertRuleInput; errors: FieldErrors } {
    const found: FieldErrors = {};
    const value = Number(threshold());
    if (threshold().trim() === '' || !Number.isFinite(value)) found.threshold = 'Enter a number.';
    const windowMs = Math.round(Number(windowValue()) * windowUnit());
    if (!Number.isFinite(windowMs) || windowMs < MIN_WINDOW_MS) found.windowMs = 'At least 10 seconds.';
    else if (windowMs > MAX_WINDOW_MS) found.windowMs = 'At most 24 hours.';
    const hook = webhookUrl().trim();
    if (hook && !/^https?:\/\/[^\s/]+/i.test(hook)) found.webhookUrl = 'An http:// or https:// address.';
    if (Object.keys(found).length > 0) return { errors: found };
    return {
      errors: found,
      input: {
        workspaceId: props.workspaceId,
        agentId: agentId() || null,
        metric: metric(),
        agg: agg(),
        op: op(),
        threshold: value,
        windowMs,
        ...(name().trim() ? { name: name().trim() } : {}),
        webhookUrl: hook || null,
        conversationId: conversationId() || null,
      },
    };
  }

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setCreated(null);
    setFormError(null);
    const checked = validate();
    setErrors(checked.errors);
    if (!checked.input) return;
    setSaving(true);
    try {
      const rule = await props.onCreate(checked.input);
      setCreated(`Rule "${rule.name}" created.`);
      setName('');
      setThreshold('');
      setWebhookUrl('');
      setConversationId('');
    } catch (cause) {
      const view = describeError(cause);
      const fieldErrors: FieldErrors = {};
      for (const [field, messages] of Object.entries(view.fieldErrors)) fieldErrors[field as RuleField] = messages[0];
      setErrors(fieldErrors);
      setFormError(view.message);
    } finally {
      setSaving(false);
    }
  };

  /** Field props for one rule field: its input id and error follow the field's name (error read live). */
  const fieldOf = (field: RuleField) => ({
    id: `rule-${field}`,
    errorTestId: `rule-${field}-error`,
    get error() {
      return errors()[field];
    },
  });

  return (
    <form class="card rule-form" aria-labelledby="rule-form-title" data-testid="alert-rule-form" novalidate onSubmit={(e) => void submit(e)}>
      <div class="rule-form__head">
        <h2 id="rule-form-title" class="card__title">
          New alert rule
        </h2>
        <p class="muted">Fires when the condition holds over the window, resolves when it stops holding; each change is listed below.</p>
      </div>
      <div class="rule-form__grid">
        <Show when={!props.fixedAgentId}>
          <Field {...fieldOf('agentId')} label="Agents">
            {(control) => (
              <select id={control.id} class="select" value={agentId()} onChange={(e) => setAgentId(e.currentTarget.value)}>
                <option value="">All agents, each on its own</option>
                <For each={props.agents}>{(agent) => <option value={agent.id}>{agent.name}</option>}</For>
              </select>
            )}
          </Field>
        </Show>
        <Field {...fieldOf('metric')} label="Metric">
          {(control) => (
            <select id={control.id} class="select" value={metric()} onChange={(e) => changeMetric(e.currentTarget.value as MetricName)}>
              <For each={Object.entries(METRIC_LABELS)}>{([value, label]) => <option value={value}>{label}</option>}</For>
            </select>
          )}
        </Field>
        <Field {...fieldOf('agg')} label="Aggregate">
          {(control) => (
            <select
              id={control.id}
              class="select"
              value={agg()}
              disabled={aggregatesOf(metric()).length === 1}
              onChange={(e) => setAgg(e.currentTarget.value as Aggregate)}
            >
              <For each={aggregatesOf(metric())}>{(value) => <option value={value}>{value}</option>}</For>
            </select>
          )}
        </Field>
        <Field {...fieldOf('op')} label="Condition">
          {(control) => (
            <>
              <div class="rule-form__condition">
                <select id={control.id} class="select rule-form__op" aria-label="Operator" value={op()} onChange={(e) => setOp(e.currentTarget.value as AlertOp)}>
                  <For each={OPS}>{(value) => <option value={value}>{value}</option>}</For>
                </select>
                <input
                  id="rule-threshold"
                  class="input"
                  type="number"
                  step="any"
                  inputmode="decimal"
                  placeholder="Threshold"
                  aria-label="Threshold"
                  value={threshold()}
                  aria-invalid={errors().threshold ? 'true' : undefined}
                  aria-describedby={errors().threshold ? 'rule-threshold-error' : undefined}
                  onInput={(e) => setThreshold(e.currentTarget.value)}
                />
              </div>
              {/* The threshold shares this field's label; its message is its own. */}
              <FieldError id="rule-threshold-error" message={errors().threshold} testId="rule-threshold-error" />
            </>
          )}
        </Field>
        <Field {...fieldOf('windowMs')} label="Window">
          {(control) => (
            <div class="rule-form__condition">
              <input {...control} class="input" type="number" min="1" step="any" value={windowValue()} onInput={(e) => setWindowValue(e.currentTarget.value)} />
              <select class="select" aria-label="Window unit" value={windowUnit()} onChange={(e) => setWindowUnit(Number(e.currentTarget.value))}>
                <For each={WINDOW_UNITS}>{(unit) => <option value={unit.ms}>{unit.label}</option>}</For>
              </select>
            </div>
          )}
        </Field>
        <Field {...fieldOf('name')} label="Name">
          {(control) => (
            <input {...control} class="input" placeholder="Optional" maxlength="120" value={name()} onInput={(e) => setName(e.currentTarget.value)} />
          )}
        </Field>
        <Field {...fieldOf('webhookUrl')} label="Webhook URL" class="rule-form__wide">
          {(control) => (
            <input
              {...control}
              class="input"
              type="url"
              placeholder="Optional — https://hooks.example.com/… gets a POST on each change"
              value={webhookUrl()}
              onInput={(e) => setWebhookUrl(e.currentTarget.value)}
            />
          )}
        </Field>
        <Show when={props.sessions}>
          {(sessions) => (
            <Field {...fieldOf('conversationId')} label="Post into session" class="rule-form__wide">
              {(control) => (
                <select id={control.id} class="select" value={conversationId()} onChange={(e) => setConversationId(e.currentTarget.value)}>
                  <option value="">No session — alerts are listed here only</option>
                  <For each={sessions()}>{(session) => <option value={session.id}>{session.title}</option>}</For>
                </select>
              )}
            </Field>
          )}
        </Show>
      </div>
      <div class="row rule-form__actions">
        <button class="button button--primary" type="submit" disabled={saving()} data-testid="create-rule">
          {saving() ? 'Creating…' : 'Create rule'}
        </button>
        <Show when={created()}>
          <span class="success-note" role="status">
            {created()}
          </span>
        </Show>
      </div>
      <ErrorNote message={formError()} testId="rule-form-error" />
    </form>
  );
}
