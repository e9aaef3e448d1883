// One legend for every panel: an agent's colour and name; a click hides or shows its lines in
// all charts at once (the per-chart uPlot legends would repeat it six times).
import { For } from 'solid-js';
import type { RosterAgent } from './agentRoster.ts';
import { seriesVar } from './palette.ts';

export function SeriesLegend(props: { agents: RosterAgent[]; hidden: ReadonlySet<string>; onToggle: (agentId: string) => void }) {
  return (
    <ul class="series-legend" aria-label="Agents in the charts" data-testid="series-legend">
      <For each={props.agents}>
        {(agent) => (
          <li>
            <button
              type="button"
              class="series-legend__item"
              classList={{ 'series-legend__item--off': props.hidden.has(agent.id) }}
              aria-pressed={!props.hidden.has(agent.id)}
              title={props.hidden.has(agent.id) ? `Show ${agent.name}` : `Hide ${agent.name}`}
              onClick={() => props.onToggle(agent.id)}
            >
              <span class="series-legend__line" style={{ 'border-color': `var(${seriesVar(agent.colorIndex)})` }} aria-hidden="true" />
              {agent.name}
            </button>
          </li>
        )}
      </For>
    </ul>
  );
}
