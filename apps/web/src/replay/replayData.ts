// What conversation.replay answers, and the session as it stood after its first n entries: the
// live view's own state machine (applyEvent) run over the stored events, so a replayed message,
// tool card or chart is exactly what people saw live.
import type { trpc } from '../trpc.ts';
import { applyEvent, type FeedState } from '../conversations/conversationState.ts';

export type ReplayData = Awaited<ReturnType<typeof trpc.conversation.replay.query>>;
type Entry = ReplayData['entries'][number];

/**
 * Applies entries [from, to) to `state` in place. Every entry is new to it (no snapshot: seq 0);
 * an event type this client does not know (a newer server's) changes nothing.
 */
export function applyEntries(state: FeedState, entries: readonly Entry[], from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const entry = entries[i];
    if (entry) applyEvent(state, entry.seq, entry.event, 0);
  }
}
