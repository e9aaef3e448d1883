// The shared-event encoder must send exactly what tRPC's JSON encoder sends.
import fc from 'fast-check';
import { jsonEncoder } from '@trpc/server/adapters/ws';
import { describe, expect, it } from 'vitest';
import { createEventEncoder } from './event-encoder.ts';

const event = fc.dictionary(fc.string(), fc.jsonValue());
const dataMessage = fc.record({
  id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
  jsonrpc: fc.option(fc.constant('2.0' as const), { nil: undefined }),
  seq: fc.nat().map(String),
  event,
}).map(({ id, jsonrpc, seq, event }) => ({ id, jsonrpc, result: { type: 'data' as const, data: { id: seq, data: event }, id: seq } }));

describe('event encoder', () => {
  it('encodes tracked events exactly as tRPC does, also when the event comes again from the cache', () => {
    const encoder = createEventEncoder();
    fc.assert(fc.property(dataMessage, (m) => {
      expect(encoder.encode(m)).toBe(jsonEncoder.encode(m));
      expect(encoder.encode({ ...m, id: 'other' })).toBe(jsonEncoder.encode({ ...m, id: 'other' }));
    }));
  });

  it('leaves every other message to the JSON encoder', () => {
    const encoder = createEventEncoder();
    fc.assert(fc.property(fc.jsonValue(), (m) => {
      expect(encoder.encode(m)).toBe(jsonEncoder.encode(m));
    }));
    const started = { id: 1, jsonrpc: undefined, result: { type: 'started' } };
    expect(encoder.encode(started)).toBe(JSON.stringify(started));
  });
});
