// Plays a stored session back: play/pause, 1×–20×, a scrubber, the messages, tool cards and their
// charts appearing as they did (the live view's MessageItem), and the discussed agents' charts with
// a cursor at the playback time.
import { createEffect, createMemo, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import { makeFeedState, queuePositions } from '../conversations/conversationState.ts';
import { createFollowScroll } from '../conversations/followScroll.ts';
import { MessageItem } from '../conversations/MessageItem.tsx';
import { formatDuration } from '../metrics/panels.ts';
import { COMPRESSED_GAP_MS, entriesBy, formatPlayback, makeTimeline, QUIET_GAP_MS, realTimeAt, SPEEDS } from './playback.ts';
import { ReplayChart } from './ReplayChart.tsx';
import { applyEntries, type ReplayData } from './replayData.ts';

const clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function ReplayPlayer(props: { replay: ReplayData }) {
  const timeline = createMemo(() => makeTimeline(props.replay.entries.map((e) => e.at)));
  const [position, setPosition] = createSignal(0);
  const [playing, setPlaying] = createSignal(false);
  const [speed, setSpeed] = createSignal<number>(1);
  /** Played or scrubbed at least once: only then does reaching the end count as "ended". */
  const [touched, setTouched] = createSignal(false);
  const ended = () => touched() && !playing() && position() >= timeline().duration;

  // The session as it stood at the playback position: entries applied forwards; scrubbing back starts over.
  const [state, setState] = createStore(makeFeedState());
  let applied = 0;
  const shown = createMemo(() => entriesBy(timeline(), position()));
  createEffect(
    on(shown, (count) => {
      if (count < applied) {
        setState(reconcile(makeFeedState()));
        applied = 0;
      }
      if (count > applied) {
        const from = applied;
        setState(produce((draft) => applyEntries(draft, props.replay.entries, from, count)));
        applied = count;
      }
    }),
  );
  const positions = createMemo(() => queuePositions(state));
  const cursorMs = createMemo(() => realTimeAt(timeline(), position()));

  let frame = 0;
  let last = 0;
  const tick = (now: number) => {
    const elapsed = last ? now - last : 0;
    last = now;
    const next = Math.min(timeline().duration, position() + elapsed * speed());
    setPosition(next);
    if (next >= timeline().duration) setPlaying(false);
    else frame = requestAnimationFrame(tick);
  };
  createEffect(
    on(playing, (isPlaying) => {
      cancelAnimationFrame(frame);
      last = 0;
      if (isPlaying) frame = requestAnimationFrame(tick);
    }),
  );
  onCleanup(() => cancelAnimationFrame(frame));

  const togglePlay = () => {
    setTouched(true);
    if (playing()) return setPlaying(false);
    if (position() >= timeline().duration) setPosition(0);
    setPlaying(true);
  };

  const scroll = createFollowScroll(() => {
    const last = state.messages[state.messages.length - 1];
    return `${state.messages.length}:${last?.content.length ?? 0}:${Object.values(state.tools).flat().length}`;
  });

  return (
    <div class="replay__body">
      <div class="replay__controls card" role="group" aria-label="Playback">
        <button class="button button--primary replay__play" type="button" data-testid="replay-play" onClick={togglePlay}>
          {playing() ? 'Pause' : ended() ? 'Replay again' : 'Play'}
        </button>
        <div class="replay__speeds" role="group" aria-label="Speed">
          <For each={SPEEDS}>
            {(s) => (
              <button
                class="button button--small replay__speed"
                classList={{ 'replay__speed--on': speed() === s }}
                type="button"
                aria-pressed={speed() === s}
                onClick={() => setSpeed(s)}
              >
                {s}×
              </button>
            )}
          </For>
        </div>
        <input
          class="replay__scrubber"
          type="range"
          min="0"
          max={timeline().duration}
          step="any"
          value={position()}
          aria-label="Playback position"
          aria-valuetext={`${formatPlayback(position())} of ${formatPlayback(timeline().duration)}`}
          data-testid="replay-scrubber"
          onInput={(event) => {
            setTouched(true);
            setPosition(Number(event.currentTarget.value));
          }}
        />
        <span class="replay__time" data-testid="replay-time">
          <span class="replay__clock">{clock.format(cursorMs())}</span>
          <span class="muted">
            {formatPlayback(position())} / {formatPlayback(timeline().duration)}
          </span>
        </span>
        <Show when={ended()}>
          <span class="pill pill--ended" data-testid="replay-ended">
            Ended
          </span>
        </Show>
      </div>
      <p class="muted replay__notes">
        {day.format(props.replay.span?.from ?? 0)}, {clock.format(props.replay.span?.from ?? 0)} – {clock.format(props.replay.span?.to ?? 0)}
        {' · '}
        {props.replay.entries.length} events
        <Show when={timeline().compressed.gaps > 0}>
          <span data-testid="replay-compressed">
            {' · '}
            {`Quiet gaps over ${QUIET_GAP_MS / 1000} s play as ${COMPRESSED_GAP_MS / 1000} s (${timeline().compressed.gaps} compressed, ${formatDuration(timeline().compressed.skippedMs)} skipped)`}
          </span>
        </Show>
      </p>
      <Show when={props.replay.truncated}>
        {(cut) => (
          <p class="replay__truncated" role="note" data-testid="replay-truncated">
            {`This session is longer than a replay carries: it stops at ${clock.format(cut().at)}, ${cut().omittedEvents.toLocaleString()} later events are left out. Open the session for its full text.`}
          </p>
        )}
      </Show>
      <div
        class="conversation__messages replay__messages"
        ref={scroll.ref}
        onScroll={(event) => scroll.onScroll(event.currentTarget)}
        data-testid="replay-messages"
        aria-label="Replayed messages"
        role="log"
        tabindex="0"
      >
        <Show when={state.messages.length > 0} fallback={<p class="muted replay__waiting">Press Play: the session's messages appear here as they were posted.</p>}>
          <For each={state.messages}>
            {(message) => (
              <MessageItem
                message={message}
                run={message.runId ? state.runs[message.runId] : undefined}
                tools={(message.role === 'assistant' && message.runId && state.tools[message.runId]) || []}
                summarised={state.summarised[message.id]}
                queuePosition={positions().get(message.id)}
                isMine={false}
                canWrite={false}
                cancelling={false}
                onCancel={() => undefined}
              />
            )}
          </For>
        </Show>
      </div>
      <Show
        when={props.replay.charts.length > 0 && props.replay.chartRange}
        fallback={<p class="muted" data-testid="replay-no-charts">No agent metrics were discussed in this session, so there are no charts to follow.</p>}
      >
        {(range) => (
          <section class="replay__charts" aria-label="Agents discussed">
            <For each={props.replay.charts}>{(chart) => <ReplayChart chart={chart} range={range()} cursorMs={cursorMs()} />}</For>
          </section>
        )}
      </Show>
    </div>
  );
}
