// Under the toolbar: what the charts show right now — the live range, or a zoomed window with
// buttons to pan through history and to go back to live.
import { Show } from 'solid-js';
import type { TimeWindow } from './metricsFeed.ts';

const dateTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function ZoomBar(props: {
  window: TimeWindow;
  liveState: string;
  onPan: (direction: -1 | 1) => void;
  onReset: () => void;
}) {
  return (
    <div class="zoom-bar" data-testid="zoom-bar">
      <Show
        when={!props.window.live && props.window}
        fallback={
          <>
            <span class={`live-dot live-dot--${props.liveState}`} aria-hidden="true" />
            <span data-testid="live-state">{props.liveState === 'live' ? 'Live' : props.liveState === 'reconnecting' ? 'Reconnecting…' : 'Connecting…'}</span>
            <span class="muted zoom-bar__hint">Drag across a chart to zoom into history and ask about that range; double-click to come back.</span>
          </>
        }
      >
        {(fixed) => {
          const range = () => fixed();
          return (
            <>
              <span data-testid="zoom-range">
                {dateTime.format(range().from)} – {dateTime.format(range().to)}
              </span>
              <div class="zoom-bar__actions">
                <button class="button button--small" type="button" onClick={() => props.onPan(-1)} aria-label="Earlier">
                  ← Earlier
                </button>
                <button
                  class="button button--small"
                  type="button"
                  disabled={range().to >= Date.now() - 1000}
                  onClick={() => props.onPan(1)}
                  aria-label="Later"
                >
                  Later →
                </button>
                <button class="button button--small button--primary" type="button" data-testid="reset-zoom" onClick={() => props.onReset()}>
                  Reset zoom
                </button>
              </div>
            </>
          );
        }}
      </Show>
    </div>
  );
}
