// The replay's clock: playback time (what the scrubber moves, 0 … duration) against the session's
// real time. Quiet gaps longer than QUIET_GAP_MS play as COMPRESSED_GAP_MS, so an incident that
// paused for an hour does not play an hour of nothing; everything else plays at its real pace.

export const QUIET_GAP_MS = 10_000;
export const COMPRESSED_GAP_MS = 2_000;
export const SPEEDS = [1, 2, 5, 10, 20] as const;

export interface PlaybackTimeline {
  /** Real time of each entry (epoch ms), sorted. */
  realAt: number[];
  /** Playback time of each entry (ms from the start). */
  playAt: number[];
  /** Playback length: the last entry's playback time. */
  duration: number;
  /** Gaps played shorter than they were, and the real time they skip. */
  compressed: { gaps: number; skippedMs: number };
}

export function makeTimeline(entryTimes: readonly number[]): PlaybackTimeline {
  const realAt: number[] = [];
  const playAt: number[] = [];
  let gaps = 0;
  let skippedMs = 0;
  entryTimes.forEach((at, i) => {
    const previous = realAt[i - 1];
    // Times never go back (commit order), but a clock step between servers must not make playback run backwards.
    const real = previous === undefined ? at : Math.max(previous, at);
    let step = previous === undefined ? 0 : real - previous;
    if (step > QUIET_GAP_MS) {
      gaps++;
      skippedMs += step - COMPRESSED_GAP_MS;
      step = COMPRESSED_GAP_MS;
    }
    realAt.push(real);
    playAt.push((playAt[i - 1] ?? 0) + step);
  });
  return { realAt, playAt, duration: playAt[playAt.length - 1] ?? 0, compressed: { gaps, skippedMs } };
}

/** How many entries have happened by playback time `p` (those at or before it). */
export function entriesBy(timeline: PlaybackTimeline, p: number): number {
  let lo = 0;
  let hi = timeline.playAt.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((timeline.playAt[mid] ?? 0) <= p) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The session's real time at playback time `p` (for the charts' cursor): linear within each step. */
export function realTimeAt(timeline: PlaybackTimeline, p: number): number {
  const n = entriesBy(timeline, p);
  if (n === 0) return timeline.realAt[0] ?? 0;
  const i = n - 1;
  const next = timeline.playAt[i + 1];
  const at = timeline.realAt[i]!;
  if (next === undefined) return at;
  const span = next - timeline.playAt[i]!;
  const realSpan = timeline.realAt[i + 1]! - at;
  return span > 0 ? at + ((p - timeline.playAt[i]!) / span) * realSpan : at;
}

/** `m:ss.t` of a playback position (tenths: a quick answer plays in a second or two). */
export function formatPlayback(ms: number): string {
  const tenths = Math.max(0, Math.floor(ms / 100));
  const seconds = Math.floor(tenths / 10);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}.${tenths % 10}`;
}
