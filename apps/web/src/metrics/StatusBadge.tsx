// An agent's status as a coloured pill: ok, degraded, down.
import type { AgentStatus } from './api.ts';

const labels: Record<AgentStatus, string> = { ok: 'OK', degraded: 'Degraded', down: 'Down' };

export function StatusBadge(props: { status: AgentStatus }) {
  return (
    <span class={`status-badge status-badge--${props.status}`} data-testid="agent-status" data-status={props.status}>
      <span class="status-badge__dot" aria-hidden="true" />
      {labels[props.status]}
    </span>
  );
}
