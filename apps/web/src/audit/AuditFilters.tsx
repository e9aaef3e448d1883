// The Audit page's filters (actor, action prefix, target, date range), kept in the URL's query
// string so a filtered view can be shared and survives a reload.
import { useSearchParams } from '@solidjs/router';
import { For } from 'solid-js';
import type { Member } from '../trpc.ts';

export interface AuditFilterValues {
  actorId?: string;
  action?: string;
  targetId?: string;
  from?: number;
  to?: number;
}

/** Common action families; any prefix typed in the URL works too. */
const ACTION_PREFIXES = ['auth.', 'member.', 'assistant.', 'export.', 'export.schedule.', 'retention.', 'ingestKey.', 'alert.rule.', 'agent.'];

const dayStart = (date: string) => (date ? Date.parse(`${date}T00:00:00`) : undefined);

export function createAuditFilters() {
  const [search, setSearch] = useSearchParams<{ actor?: string; action?: string; target?: string; from?: string; to?: string }>();
  const values = (): AuditFilterValues => {
    const from = dayStart(search.from ?? '');
    const to = dayStart(search.to ?? '');
    return {
      ...(search.actor ? { actorId: search.actor } : {}),
      ...(search.action ? { action: search.action } : {}),
      ...(search.target ? { targetId: search.target.trim() } : {}),
      ...(from !== undefined && !Number.isNaN(from) ? { from } : {}),
      // The "to" day is included: the range ends at the next midnight.
      ...(to !== undefined && !Number.isNaN(to) ? { to: to + 86_400_000 } : {}),
    };
  };
  return { search, setSearch, values };
}

export function AuditFilters(props: { filters: ReturnType<typeof createAuditFilters>; members: Member[] }) {
  const s = () => props.filters.search;
  const set = (key: 'actor' | 'action' | 'target' | 'from' | 'to', value: string) => props.filters.setSearch({ [key]: value || undefined });
  return (
    <form class="card audit-filters" data-testid="audit-filters" onSubmit={(e) => e.preventDefault()}>
      <label class="field">
        <span class="field__label">Actor</span>
        <select class="select" value={s().actor ?? ''} onChange={(e) => set('actor', e.currentTarget.value)} data-testid="audit-filter-actor">
          <option value="">Anyone</option>
          <For each={props.members}>{(m) => <option value={m.userId}>{m.name}</option>}</For>
        </select>
      </label>
      <label class="field">
        <span class="field__label">Action</span>
        <select class="select" value={s().action ?? ''} onChange={(e) => set('action', e.currentTarget.value)} data-testid="audit-filter-action">
          <option value="">Any action</option>
          <For each={ACTION_PREFIXES}>{(a) => <option value={a}>{a}*</option>}</For>
        </select>
      </label>
      <label class="field">
        <span class="field__label">Target id</span>
        <input class="input" value={s().target ?? ''} onChange={(e) => set('target', e.currentTarget.value)} data-testid="audit-filter-target" />
      </label>
      <label class="field">
        <span class="field__label">From</span>
        <input class="input" type="date" value={s().from ?? ''} onChange={(e) => set('from', e.currentTarget.value)} data-testid="audit-filter-from" />
      </label>
      <label class="field">
        <span class="field__label">To</span>
        <input class="input" type="date" value={s().to ?? ''} onChange={(e) => set('to', e.currentTarget.value)} data-testid="audit-filter-to" />
      </label>
      <button class="button button--small" type="button" data-testid="audit-filter-clear" onClick={() => props.filters.setSearch({ actor: undefined, action: undefined, target: undefined, from: undefined, to: undefined })}>
        Clear
      </button>
    </form>
  );
}
