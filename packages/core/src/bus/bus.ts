// The event bus only wakes subscribers; it is never the record (docs/reliability.md: pub/sub is at-most-once).
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export type BusHandler = (message: unknown) => void;

export interface SubscribeOptions {
  /**
   * Called when messages on the channel may have been lost (the bus reconnected after an outage),
   * once the subscription is live again: a subscriber that only needs waking re-reads its rows.
   */
  onGap?: () => void;
}

export interface Bus {
  /** Best effort (pub/sub is at-most-once): never throws; a Redis bus retries its last message per channel after an outage. */
  publish(channel: string, message: unknown): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(channel: string, handler: BusHandler, opts?: SubscribeOptions): Promise<() => void>;
  close(): Promise<void>;
}

/** Resolves when an ioredis client is ready, or after `ms` (then its commands fail fast, as when Redis is down). */
export function whenReady(client: Redis, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.once('ready', done);
  });
}

export class InProcessBus implements Bus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  async publish(channel: string, message: unknown): Promise<void> {
    // Deliver asynchronously, like a network bus, so publishers never run subscriber code inline.
    queueMicrotask(() => this.emitter.emit(channel, structuredClone(message)));
  }
  async subscribe(channel: string, handler: BusHandler): Promise<() => void> {
    this.emitter.on(channel, handler);
    return () => this.emitter.off(channel, handler);
  }
  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const PUBLISH_TIMEOUT_MS = 2000;
/** At most this many channels keep an unsent message while Redis is down (the oldest are dropped). */
const MAX_UNSENT_CHANNELS = 10_000;

export class RedisBus implements Bus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers = new Map<string, Set<BusHandler>>();
  private readonly gapHandlers = new Map<string, Set<() => void>>();
  /** The SUBSCRIBE of each channel, so a later subscriber also waits until it is live. */
  private readonly subscribed = new Map<string, Promise<unknown>>();
  /** The last message per channel that could not be published, sent again once Redis is back. */
  private readonly unsent = new Map<string, string>();

  constructor(url: string, private readonly prefix: string, private readonly log: Logger) {
    // A publish never waits long: a Redis that stalls makes it fail (and be resent), not hang the writer.
    this.pub = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false, commandTimeout: PUBLISH_TIMEOUT_MS });
    // Resubscribing is ours (see resubscribe), so subscribers hear about the gap only once it is live.
    this.sub = new Redis(url, { maxRetriesPerRequest: null, autoResubscribe: false });
    for (const c of [this.pub, this.sub]) c.on('error', (err) => log.warn({ err: err.message }, 'bus redis error'));
    this.sub.on('message', (channel: string, raw: string) => {
      const set = this.handlers.get(channel);
      if (!set) return;
      const msg = JSON.parse(raw) as unknown;
      for (const h of set) h(msg);
    });
    this.pub.on('ready', () => void this.sendUnsent());
    let connectedBefore = false;
    this.sub.on('ready', () => {
      if (connectedBefore) void this.resubscribe();
      connectedBefore = true;
    });
  }

  /** Waits (at most `ms`) until both connections are up; publish has no offline queue. */
  async ready(ms: number): Promise<void> {
    await Promise.all([whenReady(this.pub, ms), whenReady(this.sub, ms)]);
  }

  async publish(channel: string, message: unknown): Promise<void> {
    const key = this.prefix + channel;
    const raw = JSON.stringify(message);
    try {
      await this.pub.publish(key, raw);
      if (this.unsent.size) void this.sendUnsent(); // Redis answers again after a stall
    } catch (err) {
      // A wake-up must not fail the write it announces (that is committed already): keep it for later.
      if (!this.unsent.size) this.log.warn({ err: (err as Error).message }, 'bus publish failed; will resend when Redis is back');
      this.unsent.delete(key);
      this.unsent.set(key, raw);
      if (this.unsent.size > MAX_UNSENT_CHANNELS) this.unsent.delete(this.unsent.keys().next().value!);
    }
  }

  private async sendUnsent(): Promise<void> {
    for (const [key, raw] of [...this.unsent]) {
      try {
        await this.pub.publish(key, raw);
        if (this.unsent.get(key) === raw) this.unsent.delete(key);
      } catch {
        return; // down again; the next 'ready' retries
      }
    }
  }

  /** After a reconnect: subscribe to every channel again, then tell gap listeners. */
  private async resubscribe(): Promise<void> {
    const keys = [...this.handlers.keys()];
    if (!keys.length) return;
    try {
      await this.sub.subscribe(...keys);
    } catch {
      return; // down again; the next 'ready' retries
    }
    for (const key of keys) for (const onGap of this.gapHandlers.get(key) ?? []) onGap();
  }

  async subscribe(channel: string, handler: BusHandler, opts: SubscribeOptions = {}): Promise<() => void> {
    const key = this.prefix + channel;
    let set = this.handlers.get(key);
    if (!set) {
      set = new Set();
      this.handlers.set(key, set);
      this.subscribed.set(key, this.sub.subscribe(key));
    }
    set.add(handler);
    const onGap = opts.onGap;
    if (onGap) {
      if (!this.gapHandlers.has(key)) this.gapHandlers.set(key, new Set());
      this.gapHandlers.get(key)!.add(onGap);
    }
    const off = () => {
      set.delete(handler);
      if (onGap) this.gapHandlers.get(key)?.delete(onGap);
      if (set.size === 0 && this.handlers.get(key) === set) {
        this.handlers.delete(key);
        this.gapHandlers.delete(key);
        this.subscribed.delete(key);
        void this.sub.unsubscribe(key).catch(() => undefined);
      }
    };
    // Returning before Redis confirmed the SUBSCRIBE would let a caller read its backlog while
    // wake-ups still go nowhere (found by the replay-race test).
    await this.subscribed.get(key)!.catch((err: unknown) => {
      off();
      throw err;
    });
    return off;
  }

  async close(): Promise<void> {
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
