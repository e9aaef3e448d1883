// The sections of Metrics: dashboard, costs, alerts and (for admins) ingest keys.
import { A } from '@solidjs/router';
import { For } from 'solid-js';

const tabs = [
  { path: '', label: 'Dashboard', adminOnly: false },
  { path: '/costs', label: 'Costs', adminOnly: false },
  { path: '/alerts', label: 'Alerts', adminOnly: false },
  { path: '/keys', label: 'Ingest keys', adminOnly: true },
];

export function MetricsTabs(props: { workspaceId: string; isAdmin: boolean }) {
  return (
    <nav class="section-tabs" aria-label="Metrics sections">
      <For each={tabs.filter((t) => !t.adminOnly || props.isAdmin)}>
        {(tab) => (
          <A
            class="section-tabs__tab"
            activeClass="section-tabs__tab--active"
            end={tab.path === ''}
            href={`/w/${props.workspaceId}/metrics${tab.path}`}
          >
            {tab.label}
          </A>
        )}
      </For>
    </nav>
  );
}
