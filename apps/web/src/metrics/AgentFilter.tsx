// Which agents the charts show: all (the default, new agents included) or a chosen few.
import { For, Show } from 'solid-js';
import type { RosterAgent } from './agentRoster.ts';
import { Dropdown } from './Dropdown.tsx';
import { seriesVar } from './palette.ts';

export function AgentFilter(props: { agents: RosterAgent[]; selected: string[]; onChange: (agentIds: string[]) => void }) {
  const isAll = () => props.selected.length === 0;
  const chosen = (id: string) => isAll() || props.selected.includes(id);
  const label = () => {
    const count = props.agents.filter((a) => props.selected.includes(a.id)).length;
    return isAll() || count === 0 ? 'All agents' : `${count} of ${props.agents.length} agents`;
  };
  const toggle = (id: string, input: HTMLInputElement) => {
    const current = isAll() ? props.agents.map((a) => a.id) : props.selected;
    const next = input.checked ? [...current, id] : current.filter((a) => a !== id);
    // At least one agent stays charted; an empty selection would silently mean "all".
    if (next.length === 0) {
      input.checked = true;
      return;
    }
    // Everyone ticked is "all", which keeps following agents that register later.
    props.onChange(next.length === props.agents.length ? [] : next);
  };
  return (
    <Dropdown label={<span data-testid="agent-filter-label">{label()}</span>} testId="agent-filter">
      <fieldset class="choice-list">
        <legend class="visually-hidden">Agents to chart</legend>
        <label class="choice-list__item">
          <input
            type="checkbox"
            checked={isAll()}
            onChange={(e) => {
              // "All" is a reset, not a toggle: ticking it again keeps it ticked.
              e.currentTarget.checked = true;
              props.onChange([]);
            }}
          />
          <span>All agents</span>
        </label>
        <For each={props.agents}>
          {(agent) => (
            <label class="choice-list__item">
              <input type="checkbox" checked={chosen(agent.id)} onChange={(e) => toggle(agent.id, e.currentTarget)} />
              <span class="swatch" style={{ background: `var(${seriesVar(agent.colorIndex)})` }} aria-hidden="true" />
              <span>{agent.name}</span>
            </label>
          )}
        </For>
        <Show when={props.agents.length === 0}>
          <p class="muted choice-list__empty">No agents yet.</p>
        </Show>
      </fieldset>
    </Dropdown>
  );
}
