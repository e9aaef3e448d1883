// Which chart panels the dashboard shows, in the fixed order of PANELS.
import { For } from 'solid-js';
import type { MetricName } from './api.ts';
import { Dropdown } from './Dropdown.tsx';
import { PANELS } from './panels.ts';

export function PanelPicker(props: { selected: MetricName[]; onChange: (panels: MetricName[]) => void }) {
  const toggle = (metric: MetricName, on: boolean) => {
    const next = PANELS.map((p) => p.metric).filter((m) => (m === metric ? on : props.selected.includes(m)));
    if (next.length > 0) props.onChange(next);
  };
  return (
    <Dropdown label={<span>Panels · {props.selected.length}</span>} testId="panel-picker" align="right">
      <fieldset class="choice-list">
        <legend class="visually-hidden">Panels to show</legend>
        <For each={PANELS}>
          {(panel) => (
            <label class="choice-list__item">
              <input
                type="checkbox"
                checked={props.selected.includes(panel.metric)}
                // The last panel stays: an empty dashboard is never what anyone wants.
                disabled={props.selected.length === 1 && props.selected.includes(panel.metric)}
                data-metric={panel.metric}
                onChange={(e) => toggle(panel.metric, e.currentTarget.checked)}
              />
              <span>{panel.title}</span>
            </label>
          )}
        </For>
      </fieldset>
    </Dropdown>
  );
}
