// The time ranges of the dashboard, as one row of toggle buttons.
import { For } from 'solid-js';
import { RANGES } from './panels.ts';

export function RangePicker(props: { rangeMs: number; active: boolean; onChange: (rangeMs: number) => void }) {
  return (
    <div class="segmented" role="group" aria-label="Time range" data-testid="range-picker">
      <For each={RANGES}>
        {(range) => {
          const pressed = () => props.active && props.rangeMs === range.ms;
          return (
            <button
              type="button"
              class="segmented__option"
              classList={{ 'segmented__option--active': pressed() }}
              aria-pressed={pressed()}
              data-range-ms={range.ms}
              onClick={() => props.onChange(range.ms)}
            >
              {range.label}
            </button>
          );
        }}
      </For>
    </div>
  );
}
