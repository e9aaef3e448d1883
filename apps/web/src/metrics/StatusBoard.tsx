// One card per agent: colour, name, status with its reason, model and owner, last seen; a card
// opens the agent's drill-down.
import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import type { RosterAgent } from './agentRoster.ts';
import { formatAgo, useNow } from './clock.ts';
import { seriesVar } from './palette.ts';
import { StatusBadge } from './StatusBadge.tsx';

export function StatusBoard(props: { agents: RosterAgent[]; workspaceId: string }) {
  const now = useNow();
  return (
    <ul class="status-board" aria-label="Agents" data-testid="status-board">
      <For each={props.agents}>
        {(agent) => (
          <li>
            <A
              class={`agent-card agent-card--${agent.status}`}
              href={`/w/${props.workspaceId}/metrics/agents/${agent.id}`}
              data-testid="agent-card"
              data-agent={agent.name}
              data-status={agent.status}
            >
              <span class="agent-card__head">
                <span class="swatch" style={{ background: `var(${seriesVar(agent.colorIndex)})` }} aria-hidden="true" />
                <span class="agent-card__name">{agent.name}</span>
                <StatusBadge status={agent.status} />
              </span>
              <Show when={agent.status !== 'ok' && agent.statusReason}>
                <span class="agent-card__reason">{agent.statusReason}</span>
              </Show>
              <span class="agent-card__meta">
                <span>{agent.model ?? 'model not set'}</span>
                <Show when={agent.owner}>
                  <span aria-hidden="true">·</span>
                  <span>{agent.owner}</span>
                </Show>
              </span>
              <span class="agent-card__seen" data-testid="agent-last-seen">
                {agent.lastSeenMs ? `Last seen ${formatAgo(agent.lastSeenMs, now())}` : 'No samples yet'}
              </span>
            </A>
          </li>
        )}
      </For>
    </ul>
  );
}
