// Direct frames are byte for byte what tRPC's ws adapter sends for the same value (tracked or not),
// and one event costs subscribers with the same request id one shared buffer.
import fc from 'fast-check';
import { tracked } from '@trpc/server';
import { jsonEncoder } from '@trpc/server/adapters/ws';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import * as wsModule from 'ws';
import { FrameSink, dataFrame, textFrameOf, trackedFrame, type SharedFrame } from './direct-delivery.ts';
import { payloadOf } from '../../test/direct-stream.ts';

/** `ws`'s own framing, to compare with (not in its typings). */
const { Sender } = wsModule as unknown as { Sender: { frame(data: Buffer, opts: object): Buffer[] } };

/** The message tRPC's adapter builds for a yielded value (adapters/ws.ts, the subscription loop). */
function trpcMessage(id: number | string, jsonrpc: '2.0' | undefined, value: unknown) {
  const result: { type: 'data'; data: unknown; id?: string } = { type: 'data', data: value };
  if (Array.isArray(value) && value.length === 3 && typeof value[0] === 'string') {
    result.id = value[0];
    result.data = { id: value[0], data: value[1] };
  }
  return { id, jsonrpc, result };
}

function written(frame: SharedFrame, id: number | string, jsonrpc: '2.0' | undefined): Buffer[] {
  const out: Buffer[] = [];
  const sink = new FrameSink();
  sink.attach({ readyState: 1 } as unknown as WebSocket, id, jsonrpc, { writeDirect: (b) => out.push(b) });
  sink.write(frame);
  return out;
}
const message = (wire: Buffer | undefined) => String(payloadOf(wire!));

describe('direct frames', () => {
  const ids = fc.oneof(fc.integer(), fc.string());
  const jsonrpcs = fc.option(fc.constant('2.0' as const), { nil: undefined });
  const values = fc.dictionary(fc.string(), fc.jsonValue());

  it('are the bytes tRPC sends for a tracked value', () => {
    fc.assert(fc.property(ids, jsonrpcs, fc.string({ minLength: 1 }), values, (id, jsonrpc, eventId, data) => {
      const [frame] = written(trackedFrame(eventId, data), id, jsonrpc);
      expect(message(frame)).toBe(jsonEncoder.encode(trpcMessage(id, jsonrpc, tracked(eventId, data))));
    }));
  });

  it('are the bytes tRPC sends for an untracked value', () => {
    fc.assert(fc.property(ids, jsonrpcs, values, (id, jsonrpc, data) => {
      const [frame] = written(dataFrame(data), id, jsonrpc);
      expect(message(frame)).toBe(jsonEncoder.encode(trpcMessage(id, jsonrpc, data)));
    }));
  });

  it('are the WebSocket frames ws makes, at every length class (one buffer instead of its header and payload)', () => {
    for (const length of [0, 1, 125, 126, 65_535, 65_536, 70_000]) {
      const parts = [Buffer.alloc(Math.min(length, 7), 'a'), Buffer.alloc(Math.max(0, length - 7), 'b')];
      const theirs = Buffer.concat(Sender.frame(Buffer.concat(parts), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }));
      expect(textFrameOf(parts).equals(theirs), `length ${length}`).toBe(true);
    }
  });

  it('are one buffer for every subscriber with the same request id', () => {
    const frame = dataFrame({ type: 'typing', user: { id: 'u', name: 'U' } });
    const [a] = written(frame, 1, '2.0');
    const [b] = written(frame, 1, '2.0');
    const [c] = written(frame, 2, '2.0');
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('are not written once the sink is detached', () => {
    const out: Buffer[] = [];
    const sink = new FrameSink();
    sink.attach({ readyState: 1 } as unknown as WebSocket, 1, undefined, { writeDirect: (b) => out.push(b) });
    sink.detach();
    sink.write(dataFrame({}));
    expect(out).toEqual([]);
  });
});
