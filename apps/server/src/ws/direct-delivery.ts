// Live events written straight to subscribers' sockets, one shared frame per event: tRPC's
// per-subscription async loop cost 3× raw `ws` at 1,000 viewers (issue 12). The wire stays wsLink's.
import type { WebSocket } from 'ws';

const OPEN = 1; // WebSocket.OPEN
/** `ws` send options of a text frame (what tRPC's adapter sends). */
export const TEXT_FRAME = { binary: false } as const;

/**
 * The WebSocket text frame (RFC 6455 §5.2: FIN, opcode 1, unmasked as a server's frames are) of a
 * payload made of `parts`, as one buffer. `ws` frames a message as a header buffer and the payload,
 * written corked, which Node turns into a buffered write and a `writev` per socket: measured with
 * the sampling heap profiler at 10,000 viewers, about 1 KB of garbage per delivery (bench fanout).
 * One buffer per socket is one plain write.
 */
export function textFrameOf(parts: readonly Buffer[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  let at = header;
  for (const part of parts) at += part.copy(frame, at);
  return frame;
}

/**
 * The bytes of a tRPC data frame after its request id — `"result":{…}}` — encoded once per event
 * and shared by every subscriber. A frame is `{"id":<request id>,["jsonrpc":"2.0",]` + these bytes,
 * exactly what tRPC's ws adapter would send (direct-delivery.test.ts compares them), inside one
 * WebSocket frame.
 */
export class SharedFrame {
  /** The wire bytes for the last prefix asked for: subscribers of one wsLink version mostly share their request id. */
  private lastPrefix: Buffer | null = null;
  private lastWire: Buffer | null = null;

  constructor(readonly tail: Buffer) {}

  /** The whole WebSocket frame for a request id's prefix (see textFrameOf). */
  wire(prefix: Buffer): Buffer {
    if (this.lastPrefix !== prefix) {
      this.lastWire = textFrameOf([prefix, this.tail]);
      this.lastPrefix = prefix;
    }
    return this.lastWire!;
  }
}

/** The frame of a `tracked(id, data)` value: tRPC sends `{type:'data', data:{id, data}, id}`. */
export const trackedFrame = (eventId: string, data: unknown): SharedFrame => {
  const id = JSON.stringify(eventId);
  return new SharedFrame(Buffer.from(`"result":{"type":"data","data":{"id":${id},"data":${JSON.stringify(data)}},"id":${id}}}`));
};

/** The frame of an untracked value. */
export const dataFrame = (data: unknown): SharedFrame =>
  new SharedFrame(Buffer.from(`"result":{"type":"data","data":${JSON.stringify(data)}}}`));

/** Request ids repeat across sockets (wsLink counts from 1 on each): one prefix buffer per id. */
const prefixes = new Map<string, Buffer>();
function prefixOf(id: unknown, jsonrpc: unknown): Buffer {
  const text = `{"id":${JSON.stringify(id)},${jsonrpc === undefined ? '' : `"jsonrpc":${JSON.stringify(jsonrpc)},`}`;
  let prefix = prefixes.get(text);
  if (!prefix) {
    prefix = Buffer.from(text);
    if (prefixes.size < 10_000) prefixes.set(text, prefix);
  }
  return prefix;
}

/**
 * One subscription's way to its socket. The subscription's generator replays through the adapter
 * (wslink-server.ts) as usual, then yields `sink.handOff()`; the adapter attaches the sink to the
 * socket instead of sending anything, and stops iterating: the generator stays suspended at that
 * `yield`, holding no promise, while whoever holds the sink writes frames with `write` — no
 * promise, no result object, no async context per message. `detach` hands control back: the
 * adapter resumes the generator (which ends, when stopped, or pulls again). The adapter still owns
 * the subscription: `started`, errors, `stopped` and the reconnect notice are its own.
 */
/** Writes a whole WebSocket frame to the socket, bounded (the adapter's connection; an object, not a closure per socket). */
export interface FrameWriter {
  writeDirect(wire: Buffer): void;
}

/** Who iterates a handed-off generator again once its sink is detached (the adapter's subscription). */
export interface Resumer {
  resume(): void;
}

export class FrameSink {
  private socket: WebSocket | null = null;
  private prefix: Buffer | null = null;
  private writer: FrameWriter | null = null;
  private resumer: Resumer | null = null;
  /** Called once the sink is attached (inside the adapter's handling of the hand-off; write what is pending). */
  onAttach: (() => void) | null = null;

  /** What the generator yields to hand its subscription over (typed `never` so the output type is unchanged). */
  handOff(): never {
    return new HandOff(this) as never;
  }

  /** Attached to an open socket: `write` sends. */
  get attached(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN;
  }

  /** One write of the shared frame; through the socket's bounded send, so slow consumers are still cut off. */
  write(frame: SharedFrame): void {
    const socket = this.socket;
    if (socket && socket.readyState === OPEN) this.writer!.writeDirect(frame.wire(this.prefix!));
  }

  /**
   * Stops writing and hands the subscription back to its generator, which the adapter resumes
   * after its hand-off `yield` (call when the subscription stops, before the adapter says
   * `stopped`, or to go back to pulling). Does nothing when not attached.
   */
  detach(): void {
    this.socket = null;
    const resumer = this.resumer;
    this.resumer = null;
    resumer?.resume();
  }

  /**
   * @internal wslink-server.ts, on a hand-off. `writer` writes one frame to `socket` (the
   * adapter's bounded send that skips the per-tick cork: one frame per socket and event needs
   * none); `resumer.resume()` is called once, by `detach`, to iterate the generator again.
   */
  attach(socket: WebSocket, id: unknown, jsonrpc: unknown, writer: FrameWriter, resumer: Resumer | null = null): void {
    this.socket = socket;
    this.writer = writer;
    this.resumer = resumer;
    this.prefix = prefixOf(id, jsonrpc);
    this.whenAttached();
  }

  /** Runs `onAttach`; a subclass overrides it instead of paying a closure per sink. */
  protected whenAttached(): void {
    this.onAttach?.();
  }
}

class HandOff {
  constructor(readonly sink: FrameSink) {}
}

/** The sink a value yielded by a subscription hands over to, if it is a hand-off (tests drive generators without tRPC). */
export const sinkOf = (value: unknown): FrameSink | null => (value instanceof HandOff ? value.sink : null);
