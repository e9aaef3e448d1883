// The WebSocket encoder: tRPC's JSON text frames, except that an event many subscribers receive as
// the same object is serialised once, not once per socket.
import { jsonEncoder, type Encoder } from '@trpc/server/adapters/ws';

interface DataMessage {
  id: unknown;
  jsonrpc?: unknown;
  result: { type: 'data'; id: unknown; data: { id: unknown; data: object } };
}

const isTrackedData = (m: unknown): m is DataMessage => {
  const r = (m as { result?: { type?: unknown; id?: unknown; data?: { data?: unknown } } } | null)?.result;
  return r?.type === 'data' && r.id !== undefined && typeof r.data?.data === 'object' && r.data.data !== null;
};

/**
 * An untracked value yielded as an object (metrics.live hands one batch object to the subscribers
 * of a workspace with the same filter). Only the exact shape tRPC builds, so the text is the same.
 */
interface UntrackedMessage {
  id: unknown;
  jsonrpc?: unknown;
  result: { type: 'data'; data: object };
}
const isUntrackedData = (m: unknown): m is UntrackedMessage => {
  if (typeof m !== 'object' || m === null) return false;
  const keys = Object.keys(m).join();
  const r = (m as { result?: unknown }).result;
  return (keys === 'id,jsonrpc,result' || keys === 'id,result') && (m as { id: unknown }).id !== undefined && typeof r === 'object' && r !== null
    && Object.keys(r).join() === 'type,data' && (r as { type: unknown }).type === 'data'
    && typeof (r as { data: unknown }).data === 'object' && (r as { data: unknown }).data !== null;
};

/**
 * A tracked event is the same object for every subscriber (a conversation hub hands one object to
 * all of them), so its text is cached per object: a tool result with its chart data sent to 1,000
 * viewers was 1,000 JSON.stringify calls of the same value.
 */
export function createEventEncoder(): Encoder {
  const serialised = new WeakMap<object, string>();
  const once = (value: object) => {
    let json = serialised.get(value);
    if (json === undefined) serialised.set(value, (json = JSON.stringify(value)));
    return json;
  };
  return {
    encode(message) {
      if (isUntrackedData(message)) {
        const { id, jsonrpc, result } = message;
        return `{"id":${JSON.stringify(id)}${jsonrpc === undefined ? '' : `,"jsonrpc":${JSON.stringify(jsonrpc)}`},"result":{"type":"data","data":${once(result.data)}}}`;
      }
      if (!isTrackedData(message)) return jsonEncoder.encode(message);
      const { id, jsonrpc, result } = message;
      const event = result.data.data;
      const json = once(event);
      // Same shape and key order as JSON.stringify of what tRPC's ws adapter sends.
      return `{"id":${JSON.stringify(id)}${jsonrpc === undefined ? '' : `,"jsonrpc":${JSON.stringify(jsonrpc)}`},`
        + `"result":{"type":"data","data":{"id":${JSON.stringify(result.data.id)},"data":${json}},"id":${JSON.stringify(result.id)}}}`;
    },
    decode: jsonEncoder.decode,
  };
}
