// Scheduled exports on the Jobs page: a form with cron, time zone, an optional completion webhook
// and a preview of the next runs in that zone, and the list with last and next run, the webhook's
// last delivery, pause / resume and remove.
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import { createMemo, createSignal, For, Show } from 'solid-js';
import { EXPORT_FORMATS, EXPORT_KINDS, type ExportFormat, type ExportKind } from '@tandem/schema';
import { ACTIONS_COLUMN, DataTable } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field } from '../components/Field.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { describeError } from '../errors.ts';
import { deliveryState } from '../alerts/AlertRuleTable.tsx';
import { trpc } from '../trpc.ts';
import { allZones, browserZone, formatInZone, previewRuns } from './cronPreview.ts';
import { schedulesKey } from './jobsFeed.ts';

type Schedule = Awaited<ReturnType<typeof trpc.export.schedules.query>>[number];

export function SchedulesSection(props: { workspaceId: string }) {
  const client = useQueryClient();
  const schedules = useQuery(() => ({
    queryKey: schedulesKey(props.workspaceId),
    queryFn: () => trpc.export.schedules.query({ workspaceId: props.workspaceId }),
    enabled: props.workspaceId !== '',
  }));
  const [cron, setCron] = createSignal('0 6 * * 1');
  const [timezone, setTimezone] = createSignal(browserZone());
  const [kind, setKind] = createSignal<ExportKind>('conversations');
  const [format, setFormat] = createSignal<ExportFormat>('csv');
  const [webhookUrl, setWebhookUrl] = createSignal('');
  const [webhookError, setWebhookError] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);
  const preview = createMemo(() => previewRuns(cron(), timezone()));
  const refresh = () => client.invalidateQueries({ queryKey: schedulesKey(props.workspaceId) });

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const hook = webhookUrl().trim();
    // The server checks it too (and refuses private addresses); this catches a typo before a round trip.
    setWebhookError(hook && !/^https?:\/\/[^\s/]+/i.test(hook) ? 'An http:// or https:// address.' : null);
    if (webhookError()) return;
    setSaving(true);
    try {
      await trpc.export.schedule.mutate({ workspaceId: props.workspaceId, cron: cron(), timezone: timezone(), kind: kind(), format: format(), webhookUrl: hook || null });
      setWebhookUrl('');
      await refresh();
    } catch (cause) {
      const view = describeError(cause);
      setWebhookError(view.fieldErrors.webhookUrl?.[0] ?? null);
      setError(view.message);
    } finally {
      setSaving(false);
    }
  };
  const act = (what: string, fn: () => Promise<unknown>) => {
    setError(null);
    fn().then(refresh, (cause: unknown) => setError(`Could not ${what}: ${describeError(cause).message}`));
  };
  const ids = (s: Schedule) => ({ workspaceId: s.workspaceId, scheduleId: s.id });

  return (
    <section class="stack" aria-labelledby="schedules-title" data-testid="schedules">
      <div class="section-head">
        <h2 id="schedules-title" class="section-head__title">Scheduled exports</h2>
        <span class="muted section-head__note">Each run is an ordinary export in the list above.</span>
      </div>
      <form class="card export-form" data-testid="schedule-form" novalidate onSubmit={(e) => void submit(e)}>
        {/* Top-aligned, unlike the export form's grid: the cron hint would push the cron field's
            label above the others'. */}
        <div class="export-form__grid" style={{ 'align-items': 'start' }}>
          <Field id="schedule-cron" label="Cron" hint="minute hour day-of-month month day-of-week">
            {(control) => <input {...control} class="input" value={cron()} onInput={(e) => setCron(e.currentTarget.value)} data-testid="schedule-cron" />}
          </Field>
          <Field id="schedule-zone" label="Time zone">
            {(control) => (
              <select id={control.id} class="select" value={timezone()} onChange={(e) => setTimezone(e.currentTarget.value)} data-testid="schedule-zone">
                <For each={allZones()}>{(z) => <option value={z}>{z}</option>}</For>
              </select>
            )}
          </Field>
          <Field id="schedule-kind" label="Scheduled data">
            {(control) => (
              <select id={control.id} class="select" value={kind()} onChange={(e) => setKind(e.currentTarget.value as ExportKind)}>
                <For each={[...EXPORT_KINDS]}>{(k) => <option value={k}>{k}</option>}</For>
              </select>
            )}
          </Field>
          <Field id="schedule-format" label="Scheduled file type">
            {(control) => (
              <select id={control.id} class="select" value={format()} onChange={(e) => setFormat(e.currentTarget.value as ExportFormat)}>
                <For each={[...EXPORT_FORMATS]}>{(f) => <option value={f}>{f.toUpperCase()}</option>}</For>
              </select>
            )}
          </Field>
        </div>
        <Field id="schedule-webhook" label="Webhook on completion (optional)" error={webhookError()} errorTestId="schedule-webhook-error"
          hint="Gets a POST with the outcome and a download link when each run completes or fails.">
          {(control) => (
            <input {...control} class="input" type="url" placeholder="https://hooks.example.com/…" value={webhookUrl()}
              onInput={(e) => setWebhookUrl(e.currentTarget.value)} data-testid="schedule-webhook" />
          )}
        </Field>
        <div class="schedule-preview" data-testid="schedule-preview" aria-live="polite">
          <Show when={'runs' in preview() && preview()} fallback={<span class="export__error">{(preview() as { error: string }).error}</span>}>
            {(p) => (
              <>
                <span class="muted">Next runs ({timezone()}):</span>
                <ol class="schedule-preview__runs">
                  <For each={(p() as { runs: Date[] }).runs}>{(at) => <li>{formatInZone(at, timezone())}</li>}</For>
                </ol>
              </>
            )}
          </Show>
        </div>
        <div class="row">
          <button class="button button--primary" type="submit" disabled={saving() || 'error' in preview()} data-testid="create-schedule">
            {saving() ? 'Saving…' : 'Schedule export'}
          </button>
        </div>
        <ErrorNote message={error()} testId="schedule-error" />
      </form>
      <QueryState
        query={schedules}
        data={schedules.data}
        loading="Loading schedules…"
        empty={
          <EmptyState icon="jobs" title="No scheduled exports" testId="schedules-empty">
            <p>Schedule an export above to get a file every day, week or month.</p>
          </EmptyState>
        }
      >
        {(list) => (
          <div class="card card--flush">
            <DataTable testId="schedules-table" columns={['Schedule', 'Export', 'Last run', 'Next runs', ACTIONS_COLUMN]}>
              <For each={list()}>
                {(s) => (
                  <tr data-testid="schedule-row" data-schedule={s.id} data-paused={String(s.paused)}>
                    <td>
                      <code>{s.cron}</code> <span class="muted">{s.timezone}</span>
                      <Show when={s.webhookUrl}>
                        <span class="alert-rule__webhook muted" title={s.webhookUrl ?? ''} data-testid="schedule-webhook-url">
                          webhook {s.webhookUrl}
                        </span>
                      </Show>
                      <Show when={s.lastDelivery}>
                        {(d) => (
                          <span
                            class={`alert-rule__delivery${d().state === 'failed' ? ' alert-rule__delivery--failed' : ''}`}
                            data-testid="schedule-webhook-delivery"
                            data-state={d().state}
                          >
                            Last delivery: {deliveryState(d())}
                            {d().error ? ` — ${d().error}` : ''}
                          </span>
                        )}
                      </Show>
                    </td>
                    <td>
                      {s.spec.kind} <span class="muted">{s.spec.format.toUpperCase()}</span>
                    </td>
                    <td class="nowrap">{s.lastRunAt ? `${formatInZone(s.lastRunAt, s.timezone)}${s.lastStatus ? ` · ${s.lastStatus}` : ''}` : <span class="muted">not yet</span>}</td>
                    <td data-testid="schedule-next">
                      <Show when={!s.paused} fallback={<span class="muted">paused</span>}>
                        <For each={s.nextRuns.slice(0, 3)}>{(at) => <div class="nowrap">{formatInZone(at, s.timezone)}</div>}</For>
                      </Show>
                    </td>
                    <td class="table__actions">
                      <Show
                        when={s.paused}
                        fallback={<button class="button button--small" type="button" data-testid="schedule-pause" onClick={() => act('pause the schedule', () => trpc.export.pauseSchedule.mutate(ids(s)))}>Pause</button>}
                      >
                        <button class="button button--small" type="button" data-testid="schedule-resume" onClick={() => act('resume the schedule', () => trpc.export.resumeSchedule.mutate(ids(s)))}>Resume</button>
                      </Show>
                      <button class="button button--small" type="button" data-testid="schedule-remove" onClick={() => act('remove the schedule', () => trpc.export.unschedule.mutate(ids(s)))}>Remove</button>
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
