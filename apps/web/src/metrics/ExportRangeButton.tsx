// "Export" on the metrics dashboard: the raw samples of the visible range and agents as CSV,
// streamed by GET /api/v1/export (up to 7 days; longer ranges are export jobs on the Jobs page).
import { createSignal, Show } from 'solid-js';
import { token } from '../session.ts';

const DIRECT_MAX_MS = 7 * 86_400_000;

export function ExportRangeButton(props: { workspaceId: string; agentIds: string[]; window: { live: boolean; rangeMs?: number; from?: number; to?: number } }) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const run = async () => {
    const w = props.window;
    const to = w.live ? Date.now() : (w.to ?? Date.now());
    const from = w.live ? to - (w.rangeMs ?? 3600_000) : (w.from ?? to - 3600_000);
    setError(null);
    if (to - from > DIRECT_MAX_MS) {
      setError('More than 7 days: use Jobs → New export (metric samples).');
      return;
    }
    const query = new URLSearchParams({ workspaceId: props.workspaceId, from: String(from), to: String(to), format: 'csv' });
    for (const id of props.agentIds) query.append('agent', id);
    setBusy(true);
    try {
      const res = await fetch(`/api/v1/export?${query}`, { headers: { authorization: `Bearer ${token() ?? ''}` } });
      if (!res.ok) throw new Error(((await res.json().catch(() => ({}))) as { error?: string }).error ?? `HTTP ${res.status}`);
      const url = URL.createObjectURL(await res.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = `tandem-metrics-${new Date(from).toISOString().slice(0, 16).replace(':', '')}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (cause) {
      setError(`Export failed: ${(cause as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button class="button" type="button" disabled={busy()} onClick={() => void run()} data-testid="metrics-export" title="Raw samples of the visible range as CSV">
        {busy() ? 'Exporting…' : 'Export'}
      </button>
      <Show when={error()}>
        <span class="field__error" role="alert" data-testid="metrics-export-error">
          {error()}
        </span>
      </Show>
    </>
  );
}
