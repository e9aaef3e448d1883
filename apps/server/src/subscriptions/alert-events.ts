// alert.events: replay from the database through tRPC, then live, written straight to the socket
// (direct-stream.ts). The bus only wakes; the rows say what.
import { tracked, type TrackedEnvelope } from '@trpc/server';
import { alertChannel, lastAlertSeq, readAlertEvents, type Runtime } from '@tandem/core';
import type { AlertEvent } from '@tandem/schema';
import { trackedFrame } from '../ws/direct-delivery.ts';
import { directStream, serialRunner } from './direct-stream.ts';

const PAGE = 500;
/** Without lastEventId a dashboard starts with this many recent events. */
export const RECENT_ALERT_EVENTS = 50;
const RETRY_MS = 1000;

/**
 * The bus listener is attached before the first read and one cursor, moved by one reader at a
 * time, says what was delivered: nothing slips through the gap and nothing arrives twice.
 */
export async function* alertEvents(rt: Runtime, workspaceId: string, lastEventId: string | null | undefined, signal: AbortSignal) {
  let wake = () => undefined as void; // until the live part starts, the replay below reads everything
  // After a bus outage a wake-up may be lost: read again once the bus is back.
  const unsubscribe = await rt.bus.subscribe(alertChannel(workspaceId), () => wake(), { onGap: () => wake() });
  try {
    const em = rt.orm.em.fork();
    const lastSeq = await lastAlertSeq(em, workspaceId);
    const last = lastEventId == null ? null : Number(lastEventId);
    // Alert events are never purged, so the only id that cannot resume is one past the end (a
    // reset database): such a client starts over from the recent events, like a new one.
    let cursor = last !== null && last <= lastSeq ? last : Math.max(0, lastSeq - RECENT_ALERT_EVENTS);
    let batch;
    do {
      batch = await readAlertEvents(em, workspaceId, cursor, PAGE);
      for (const event of batch) {
        if (signal.aborted) return;
        cursor = event.seq;
        yield tracked(String(event.seq), event);
      }
    } while (batch.length === PAGE);

    yield* directStream<TrackedEnvelope<AlertEvent>>(signal, async (emit) => {
      const read = serialRunner(async () => {
        let page;
        do {
          page = await readAlertEvents(rt.orm.em.fork(), workspaceId, cursor, PAGE);
          for (const event of page) {
            cursor = event.seq;
            emit(trackedFrame(String(event.seq), event));
          }
        } while (page.length === PAGE && !signal.aborted);
      }, (err) => {
        rt.log.warn({ err, workspaceId }, 'alert.events read failed; retrying');
        if (!signal.aborted) setTimeout(() => wake(), RETRY_MS).unref();
      });
      wake = read;
      read(); // what came while the replay was being sent
      return () => (wake = () => undefined);
    });
  } finally {
    unsubscribe();
  }
}
