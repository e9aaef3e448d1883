// conversation.events: replay from the database, then live. The bus only says "something new";
// the rows say what. The listener is attached before the first read and the cursor drops
// anything already delivered, so nothing slips through the gap and nothing arrives twice.
import { tracked } from '@trpc/server';
import {
  conversationChannel, ephemeralChannel, readEvents, sequenceBounds, type Runtime,
} from '@tandem/core';
import type { EphemeralEvent, PresenceSignal } from '@tandem/schema';
import { BEAT_MS, PresenceTracker } from './presence.ts';

const PAGE = 500;
const MAX_EPHEMERAL_BACKLOG = 100;

export async function* conversationEvents(
  rt: Runtime,
  conversationId: string,
  lastEventId: string | null | undefined,
  signal: AbortSignal,
  viewer: { id: string; name: string },
) {
  let pending = true;
  let presenceDirty = true;
  const presence = new PresenceTracker(viewer);
  const channel = ephemeralChannel(conversationId);
  let wake: (() => void) | null = null;
  const ephemeral: EphemeralEvent[] = [];
  const unsubscribeRows = await rt.bus.subscribe(conversationChannel(conversationId), () => {
    pending = true;
    wake?.();
  });
  const unsubscribeEphemeral = await rt.bus.subscribe(channel, (msg) => {
    const m = msg as EphemeralEvent | PresenceSignal;
    if (m.type === 'presence.beat' || m.type === 'presence.leave') {
      presence.receive(m);
      presenceDirty = true;
    } else if (ephemeral.length < MAX_EPHEMERAL_BACKLOG) ephemeral.push(m);
    wake?.();
  });
  const announce = () => void rt.bus.publish(channel, presence.beat()).catch(() => undefined);
  announce();
  const beats = setInterval(() => {
    announce();
    presenceDirty = true; // also expires viewers not heard from
    wake?.();
  }, BEAT_MS);
  try {
    const em = rt.orm.em.fork();
    const bounds = await sequenceBounds(em, conversationId);
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
      while (ephemeral.length) yield ephemeral.shift()!;
      if (presenceDirty) {
        presenceDirty = false;
        const viewers = presence.changed();
        if (viewers) yield { type: 'presence', viewers } satisfies EphemeralEvent;
      }
      if (pending) {
        pending = false;
        let batch;
        do {
          batch = await readEvents(em, conversationId, cursor, PAGE);
          for (const { seq, event } of batch) {
            if (signal.aborted) return;
            cursor = seq;
            yield tracked(String(seq), event);
          }
        } while (batch.length === PAGE);
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      wake = null;
    }
  } finally {
    clearInterval(beats);
    void rt.bus.publish(channel, presence.leave()).catch(() => undefined);
    unsubscribeRows();
    unsubscribeEphemeral();
  }
}
