// Drives a subscription generator as tRPC's ws adapter would, with a stand-in socket for direct
// delivery, so tests that iterate a generator see direct frames in the same stream.
import type { WebSocket } from 'ws';
import { sinkOf } from '../src/ws/direct-delivery.ts';

/** What a frame's `result` holds: a tracked value becomes `[id, data]` again, as `tracked()` made it. */
type Frame = { result: { data: unknown; id?: string } };
const valueOf = (f: Frame): unknown => (f.result.id === undefined ? f.result.data : [f.result.id, (f.result.data as { data: unknown }).data]);

/**
 * Yields what `gen` yields and, once it hands itself over, what is written to its sink, in the
 * order they happen. `frames` (optional) gets every buffer written, for tests of sharing.
 */
export async function* directStream<T>(gen: AsyncGenerator<T>, frames: Buffer[] = []): AsyncGenerator<T> {
  const queue: unknown[] = [];
  let wake = null as (() => void) | null; // set by the waiting loop below
  let ended = false;
  let failure: unknown = null;
  const socket = {
    readyState: 1,
    send(data: Buffer) {
      frames.push(data);
      queue.push(valueOf(JSON.parse(String(data)) as Frame));
      wake?.();
    },
  } as unknown as WebSocket;
  // The generator runs on its own, as under tRPC: it waits for nobody between items.
  const pump = (async () => {
    try {
      for await (const item of gen) {
        const sink = sinkOf(item);
        if (sink) sink.attach(socket, 1, '2.0');
        else queue.push(item);
        wake?.();
      }
    } catch (err) {
      failure = err;
    } finally {
      ended = true;
      wake?.();
    }
  })();
  try {
    for (;;) {
      while (queue.length) yield queue.shift() as T;
      if (ended) break;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
    if (failure) throw failure;
  } finally {
    // Not `gen.return()`: its pending step waits for the caller's abort, which comes after this.
    void pump;
  }
}
