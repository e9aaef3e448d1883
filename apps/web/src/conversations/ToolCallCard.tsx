// One tool call of an assistant reply: what was called with which arguments, how long it took,
// its error, its chart (line or bar) and the first rows of its result.
import { createMemo, For, Show } from 'solid-js';
import { CategoryChart } from '../components/CategoryChart.tsx';
import { DataTable } from '../components/DataTable.tsx';
import type { ToolCall } from './conversationFeed.ts';

const MAX_ROWS = 20;

type Row = Record<string, unknown>;

function rowsOf(result: unknown): Row[] {
  if (Array.isArray(result)) return result.filter((r): r is Row => typeof r === 'object' && r !== null && !Array.isArray(r));
  if (result && typeof result === 'object') {
    // Some tools wrap their rows: { rows: [...] } or { items: [...] }.
    for (const value of Object.values(result)) if (Array.isArray(value)) return rowsOf(value);
    return [result as Row];
  }
  return [];
}

function formatCell(value: unknown): string {
  if (value == null) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString() : value.toLocaleString(undefined, { maximumFractionDigits: 2 });
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function formatArgs(args: unknown): string {
  if (args == null) return '';
  if (typeof args !== 'object') return String(args);
  return Object.entries(args as Row)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

export function ToolCallCard(props: { call: ToolCall }) {
  const rows = createMemo(() => rowsOf(props.call.result));
  const columns = createMemo(() => {
    const keys: string[] = [];
    for (const row of rows().slice(0, MAX_ROWS)) for (const key of Object.keys(row)) if (!keys.includes(key)) keys.push(key);
    return keys;
  });
  const chart = createMemo(() => {
    const hint = props.call.chart;
    if (!hint || (hint.kind !== 'line' && hint.kind !== 'bar') || rows().length === 0) return null;
    return {
      kind: hint.kind,
      title: hint.title,
      labels: rows().map((row) => formatCell(row[hint.x])),
      series: hint.series.map((key) => ({
        label: key,
        values: rows().map((row) => (typeof row[key] === 'number' ? (row[key] as number) : null)),
      })),
    };
  });

  return (
    <section class="tool-card" data-testid="tool-card" data-tool={props.call.name} aria-label={`Tool call ${props.call.name}`}>
      <header class="tool-card__head">
        <span class="tool-card__icon" aria-hidden="true">ƒ</span>
        <code class="tool-card__name">{props.call.name}</code>
        <span class="tool-card__args" title={formatArgs(props.call.args)}>
          {formatArgs(props.call.args)}
        </span>
        <span class="tool-card__meta">
          <Show when={props.call.finished} fallback={<span class="tool-card__running">running…</span>}>
            {props.call.latencyMs != null ? `${Math.round(props.call.latencyMs)} ms` : ''}
          </Show>
        </span>
      </header>
      <Show when={props.call.error}>
        <p class="tool-card__error" role="alert">
          {props.call.error}
        </p>
      </Show>
      <Show when={chart()}>
        {(c) => <CategoryChart kind={c().kind} title={c().title} labels={c().labels} series={c().series} testId="tool-chart" />}
      </Show>
      <Show when={props.call.finished && !props.call.error}>
        <Show when={rows().length > 0} fallback={<p class="muted tool-card__empty">No rows returned.</p>}>
          <div class="tool-card__table">
            <DataTable compact columns={columns()}>
              <For each={rows().slice(0, MAX_ROWS)}>
                {(row) => (
                  <tr>
                    <For each={columns()}>{(column) => <td>{formatCell(row[column])}</td>}</For>
                  </tr>
                )}
              </For>
            </DataTable>
          </div>
          <Show when={rows().length > MAX_ROWS}>
            <p class="muted tool-card__more">
              Showing {MAX_ROWS} of {rows().length} rows.
            </p>
          </Show>
        </Show>
      </Show>
    </section>
  );
}
