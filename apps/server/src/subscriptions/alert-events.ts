// alert.events: replay from the database, then live, the same way as conversation-events.ts.
import { tracked } from '@trpc/server';
import { alertChannel, lastAlertSeq, readAlertEvents, type Runtime } from '@tandem/core';

const PAGE = 500;
/** Without lastEventId a dashboard starts with this many recent events. */
export const RECENT_ALERT_EVENTS = 50;

/**
 * The bus listener is attached before the first read and the cursor drops what was delivered, so
 * nothing slips through the gap and nothing arrives twice.
 */
export async function* alertEvents(rt: Runtime, workspaceId: string, lastEventId: string | null | undefined, signal: AbortSignal) {
  let pending = true;
  let wake: (() => void) | null = null;
  const unsubscribe = await rt.bus.subscribe(alertChannel(workspaceId), () => {
    pending = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    const em = rt.orm.em.fork();
    const lastSeq = await lastAlertSeq(em, workspaceId);
    const last = lastEventId == null ? null : Number(lastEventId);
    // Alert events are never purged, so the only id that cannot resume is one past the end (a
    // reset database): such a client starts over from the recent events, like a new one.
    let cursor = last !== null && last <= lastSeq ? last : Math.max(0, lastSeq - RECENT_ALERT_EVENTS);
    while (!signal.aborted) {
      if (pending) {
        pending = false;
        let batch;
        do {
          batch = await readAlertEvents(em, workspaceId, cursor, PAGE);
          for (const event of batch) {
            if (signal.aborted) return;
            cursor = event.seq;
            yield tracked(String(event.seq), event);
          }
        } while (batch.length === PAGE);
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (signal.aborted) resolve(); // aborted while reading: onAbort found nothing to wake
      });
      wake = null;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
