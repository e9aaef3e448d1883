// Subscriptions fed by bus callbacks (members, tasks, exports, jobs, alerts once caught up), written
// straight to the socket once handed off (../ws/direct-delivery.ts), like conversation events:
// no per-message trip through tRPC's async loop (issue 12, item 2).
import { TRPCError } from '@trpc/server';
import type { Bus } from '@tandem/core';
import { FrameSink, dataFrame, type SharedFrame } from '../ws/direct-delivery.ts';

/** Writes one frame to the subscriber (or keeps it until the hand-off). */
export type Emit = (frame: SharedFrame) => void;

/**
 * Hands the subscription over at once and lets `start` write to it for as long as it lives.
 * `start` registers its listeners and returns what removes them. Frames emitted before the sink is
 * attached wait, at most `maxBacklog` of them; past that the subscription ends with
 * TOO_MANY_REQUESTS so the client resubscribes and reads again, instead of memory growing.
 * `T` is what the procedure says it yields; only frames of that shape may be emitted.
 */
export async function* directStream<T>(
  signal: AbortSignal,
  start: (emit: Emit) => Promise<() => void>,
  maxBacklog = 1000,
): AsyncGenerator<T> {
  const sink = new FrameSink();
  const backlog: SharedFrame[] = [];
  let overflow = false;
  let stop: (() => void) | null = null;
  const ended = new Promise<void>((resolve) => (stop = resolve));
  const emit: Emit = (frame) => {
    if (sink.attached) sink.write(frame);
    else if (backlog.length < maxBacklog) backlog.push(frame);
    else if (!overflow) {
      overflow = true;
      stop!();
    }
  };
  sink.onAttach = () => {
    for (const frame of backlog.splice(0)) sink.write(frame);
  };
  const onAbort = () => {
    sink.detach(); // before the adapter says `stopped`: not one more frame after it
    stop!();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let cleanup: (() => void) | null = null;
  try {
    if (signal.aborted) return;
    cleanup = await start(emit);
    yield sink.handOff();
    await ended;
    if (overflow && !signal.aborted) throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'Subscriber fell too far behind; resubscribe' });
  } finally {
    sink.detach();
    signal.removeEventListener('abort', onAbort);
    cleanup?.();
  }
}

/**
 * Runs `work` whenever it is kicked, never twice at once; a kick during a run runs it once more
 * after. For streams that read the database on a bus wake-up (pub/sub only says "something changed").
 */
export function serialRunner(work: () => Promise<void>, onError: (err: unknown) => void): () => void {
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    running = true;
    do {
      again = false;
      try {
        await work();
      } catch (err) {
        onError(err);
      }
    } while (again);
    running = false;
  };
  return () => {
    if (running) again = true;
    else void run();
  };
}

/** One frame per bus message, whatever the number of subscribers: a channel's listeners get the same object. */
const messageFrames = new WeakMap<object, SharedFrame>();
export function busFrame(msg: unknown): SharedFrame {
  if (typeof msg !== 'object' || msg === null) return dataFrame(msg);
  let frame = messageFrames.get(msg);
  if (!frame) messageFrames.set(msg, (frame = dataFrame(msg)));
  return frame;
}

/** Bus messages on a channel, as they are, each written straight to the subscriber's socket. */
export function busMessages<T = unknown>(bus: Bus, channel: string, signal: AbortSignal, opts: { onGap?: T } = {}): AsyncGenerator<T> {
  return directStream<T>(signal, (emit) =>
    bus.subscribe(channel, (msg) => emit(busFrame(msg)), opts.onGap === undefined ? {} : { onGap: () => emit(busFrame(opts.onGap)) }));
}
