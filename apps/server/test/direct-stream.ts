// Drives a subscription generator as our ws adapter does, with a stand-in socket for direct
// delivery, so tests that iterate a generator see direct frames in the same stream.
import type { WebSocket } from 'ws';
import { sinkOf } from '../src/ws/direct-delivery.ts';

/** The payload of one unmasked WebSocket frame (what direct delivery writes: direct-delivery.ts's textFrameOf). */
export function payloadOf(wire: Buffer): Buffer {
  const length = wire[1]! & 0x7f;
  return wire.subarray(length < 126 ? 2 : length === 126 ? 4 : 10);
}

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
      queue.push(valueOf(JSON.parse(String(payloadOf(data))) as Frame));
      wake?.();
    },
  } as unknown as WebSocket;
  const send = (data: Buffer) => (socket as unknown as { send(d: Buffer): void }).send(data);
  // The generator runs on its own, as under the adapter (src/ws/wslink-server.ts): it waits for
  // nobody between items, and once handed off it is not iterated until its sink is detached.
  const pump = async (): Promise<void> => {
    try {
      for (;;) {
        const next = await gen.next();
        if (next.done) break;
        const sink = sinkOf(next.value);
        if (!sink) {
          queue.push(next.value);
          wake?.();
          continue;
        }
        let parked: 'attaching' | 'yes' | 'no' = 'attaching';
        sink.attach(socket, 1, '2.0', { writeDirect: send }, {
          resume() {
            if (parked === 'yes') void pump();
            parked = 'no';
          },
        });
        if (parked === 'attaching') {
          parked = 'yes';
          return;
        }
      }
    } catch (err) {
      failure = err;
    }
    ended = true;
    wake?.();
  };
  void pump();
  // Not `gen.return()` when the caller stops early: the caller's abort ends it (its sink detaches
  // and it is iterated again).
  for (;;) {
    while (queue.length) yield queue.shift() as T;
    if (ended) break;
    await new Promise<void>((r) => (wake = r));
    wake = null;
  }
  if (failure) throw failure;
}
