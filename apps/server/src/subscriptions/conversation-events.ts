// conversation.events: replay from the database, then live. The bus only says "something new";
// the rows say what.
import { readEvents, sequenceBounds, type Runtime } from '@tandem/core';
import type { EphemeralEvent } from '@tandem/schema';
import { envelopeOf, type ConversationHubs } from './conversation-hub.ts';

const PAGE = 500;
/** After this many events in a row, let the event loop run (other sockets, I/O, timers). */
const FAIR_SHARE = 64;

/**
 * The conversation's hub on this instance listens before anything is read and reads each new
 * event once for all its subscribers; this subscription takes what lies after its cursor — from
 * the hub's window, or from the database while it is further behind — so nothing slips through
 * the gap and nothing arrives twice.
 */
export async function* conversationEvents(
  rt: Runtime,
  hubs: ConversationHubs,
  conversationId: string,
  lastEventId: string | null | undefined,
  signal: AbortSignal,
  viewer: { id: string; name: string },
) {
  const member = await hubs.join(conversationId, viewer);
  const { hub } = member;
  // On abort the member detaches (not one more frame after `stopped`) and wakes this generator:
  // it is its own listener, so a viewer holds no closure for it. `signal.aborted` is a plain field
  // of the adapter's stop signal (stop-signal.ts), cheap to read per event.
  signal.addEventListener('abort', member, { once: true });
  try {
    // A fork per read, not one held for the subscription's life: an idle viewer keeps no identity map.
    const bounds = await sequenceBounds(rt.orm.em.fork(), conversationId);
    let cursor = bounds.lastSeq;
    if (lastEventId != null) {
      const last = Number(lastEventId);
      const purged = bounds.oldestSeq !== null && last < bounds.oldestSeq - 1;
      if (last > bounds.lastSeq || purged) {
        // Cannot resume (database reset, purged history): say so; the client reloads a snapshot.
        yield { type: 'resync', reason: purged ? 'history purged' : 'unknown event id', lastSeq: bounds.lastSeq } satisfies EphemeralEvent;
      } else cursor = last;
    }
    while (!signal.aborted) {
      for (const event of member.takeEphemeral()) yield event;
      const viewers = member.presenceChanged();
      if (viewers) yield { type: 'presence', viewers } satisfies EphemeralEvent;
      if (cursor < hub.lastSeq) {
        const batch = hub.covers(cursor) ? hub.since(cursor) : (await readEvents(rt.orm.em.fork(), conversationId, cursor, PAGE)).map(envelopeOf);
        let sent = 0;
        for (const { seq, envelope } of batch) {
          if (signal.aborted) return;
          cursor = seq;
          yield envelope;
          // Taking from memory never waits: subscribers catching up would starve the process.
          if (++sent % FAIR_SHARE === 0) await new Promise(setImmediate);
        }
        if (batch.length) continue;
      }
      // Caught up: from here the hub writes this subscription's frames itself (direct-delivery.ts).
      if (!member.direct) yield member.handOffFrom(cursor);
      while (member.direct && !signal.aborted) await member.next();
      if (signal.aborted) return;
      // Not direct: the socket was closing, or the hand-off found the window gone past its cursor.
      cursor = Math.max(cursor, member.cursor);
      await member.next();
    }
  } finally {
    signal.removeEventListener('abort', member);
    member.leave();
  }
}
