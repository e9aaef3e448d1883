// What every subscription of one conversation on this server instance shares: one bus listener,
// one database read per wake-up, one presence room, one copy of each typing event.
import { setTimeout as sleep } from 'node:timers/promises';
import { tracked, type TrackedEnvelope } from '@trpc/server';
import {
  conversationChannel, ephemeralChannel, readEvents, sequenceBounds, type Runtime, type StoredEvent,
} from '@tandem/core';
import type { ConversationEvent, EphemeralEvent, PresenceSignal } from '@tandem/schema';
import { BEAT_MS, PresenceRoom } from './presence.ts';
import { FrameSink, dataFrame, trackedFrame, type SharedFrame } from '../ws/direct-delivery.ts';

const PAGE = 500;
/** Recent events kept for subscribers (up to twice this); one further behind reads the database. */
const WINDOW = 1000;
const MAX_EPHEMERAL_BACKLOG = 100;
const NO_EVENTS: readonly EphemeralEvent[] = [];
const RETRY_MS = 500;
/** Presence changes are sent at most this often: N viewers joining at once are one update, not N. */
const PRESENCE_COALESCE_MS = 50;
/** Socket writes in one go before the hub lets the event loop run (a page of events to 1,000 viewers). */
const WRITES_PER_TURN = 20_000;

type Viewer = { id: string; name: string };

/** An event as a subscription yields it; one envelope per event, shared by every subscriber. */
export type Envelope = TrackedEnvelope<ConversationEvent>;
export const envelopeOf = ({ seq, event }: StoredEvent): { seq: number; envelope: Envelope } =>
  ({ seq, envelope: tracked(String(seq), event) });

/** An event in the hub's window: its envelope (for subscriptions catching up through tRPC) and, once asked for, its frame. */
interface Recent {
  seq: number;
  envelope: Envelope;
  frame: SharedFrame | null;
}
const frameOf = (r: Recent): SharedFrame => (r.frame ??= trackedFrame(r.envelope[0], r.envelope[1]));

/**
 * One subscription's place in the hub: what it has not taken yet, and a way to wait for more.
 * Once caught up it goes direct: the hub writes each event's shared frame to it, a sink (no wake-up).
 */
export class HubMember extends FrameSink {
  /** Ephemeral events not yet taken (while pulling); made on the first one. */
  private ephemeral: EphemeralEvent[] | null = null;
  presenceVersion = -1;
  private signalled = false;
  private waiter: (() => void) | null = null;
  /** The last event written to the sink (direct members). */
  cursor = 0;
  direct = false;

  constructor(readonly hub: ConversationHub, readonly viewer: Viewer) {
    super();
  }

  /** Hands the subscription to the hub from `cursor` on; yield the result (see FrameSink.handOff). */
  handOffFrom(cursor: number): never {
    this.cursor = cursor;
    return this.handOff();
  }

  protected override whenAttached(): void {
    this.hub.goDirect(this);
  }

  /** The subscription's signal aborted: nothing more is written, and its generator wakes to end. */
  handleEvent(): void {
    this.detach();
    this.notify();
  }

  /** Back to pulling, or stopped: nothing more is written to the socket. */
  override detach(): void {
    this.direct = false;
    super.detach();
  }

  /** Wakes the subscription (new events, ephemeral events, presence, or its end). */
  notify(): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter();
    } else this.signalled = true;
  }

  /** Resolves at the next notify, or at once if one came since the last wait. */
  next(): Promise<void> {
    if (this.signalled) {
      this.signalled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.waiter = resolve));
  }

  push(event: EphemeralEvent): void {
    const pending = (this.ephemeral ??= []);
    if (pending.length < MAX_EPHEMERAL_BACKLOG) pending.push(event);
  }

  takeEphemeral(): readonly EphemeralEvent[] {
    const taken = this.ephemeral ?? NO_EVENTS;
    this.ephemeral = null;
    return taken;
  }

  /** The viewers, if they changed since this subscription last took them. */
  presenceChanged(): Viewer[] | null {
    const { version, viewers } = this.hub.presence.current();
    if (version === this.presenceVersion) return null;
    this.presenceVersion = version;
    return viewers;
  }

  leave(): void {
    this.detach();
    this.hub.remove(this);
  }
}

/**
 * A thousand viewers of one conversation cost one read per event instead of a thousand
 * (bench/fanout.ts): new events are read once per wake-up and kept in a window of recent events
 * that subscribers take from. The hub attaches its bus listener before it reads where the log
 * ends, so it never misses an event; a subscriber that resumes from before the window reads the
 * database itself until it reaches the window.
 */
export class ConversationHub {
  readonly presence = new PresenceRoom();
  private readonly members = new Set<HubMember>();
  /** Contiguous recent events, oldest first; they end at `lastSeq`. */
  private recent: Recent[] = [];
  /** Every event after this one and up to `lastSeq` is in `recent`. */
  private coveredFrom = 0;
  /** The last event read from the database. */
  lastSeq = 0;
  private opened = false;
  private pending = false;
  private reading = false;
  /** The presence version subscribers were last woken for. */
  private presenceNotified = 0;
  private presenceTimer: NodeJS.Timeout | null = null;
  private beats: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void)[] = [];
  closed = false;

  private constructor(private readonly rt: Runtime, readonly conversationId: string, private readonly onClose: () => void) {}

  static async open(rt: Runtime, conversationId: string, onClose: () => void): Promise<ConversationHub> {
    const hub = new ConversationHub(rt, conversationId, onClose);
    try {
      // After a bus outage wake-ups may have been lost: read again once the bus is back.
      hub.unsubscribe.push(await rt.bus.subscribe(conversationChannel(conversationId), (msg) => hub.wake(msg), { onGap: () => hub.wake(null) }));
      hub.unsubscribe.push(await rt.bus.subscribe(ephemeralChannel(conversationId), (msg) => hub.receive(msg as EphemeralEvent | PresenceSignal)));
      // Read where the log ends only now that wake-ups reach us: nothing can fall in between.
      const { lastSeq } = await sequenceBounds(rt.orm.em.fork(), conversationId);
      hub.lastSeq = hub.coveredFrom = lastSeq;
    } catch (err) {
      hub.close();
      throw err;
    }
    hub.beats = setInterval(() => hub.beat(), BEAT_MS);
    hub.opened = true;
    if (hub.pending) void hub.drain();
    return hub;
  }

  add(viewer: Viewer): HubMember {
    const member = new HubMember(this, viewer);
    this.members.add(member);
    this.announce(this.presence.join(viewer));
    this.presenceChanged(); // the others learn within PRESENCE_COALESCE_MS; the newcomer at once
    return member;
  }

  remove(member: HubMember): void {
    if (!this.members.delete(member)) return;
    this.announce(this.presence.leave(member.viewer));
    if (this.members.size === 0) this.close();
    else this.presenceChanged();
  }

  /** Whether events after `cursor` can be taken from the window (else: read the database). */
  covers(cursor: number): boolean {
    return cursor >= this.coveredFrom;
  }

  /** The events after `cursor` that the hub has read (call only when `covers(cursor)`). */
  since(cursor: number): Recent[] {
    const first = this.recent[0]?.seq ?? this.lastSeq + 1;
    return this.recent.slice(Math.max(0, cursor + 1 - first));
  }

  private wake(msg: unknown): void {
    const upTo = (msg as { lastSeq?: unknown } | null)?.lastSeq;
    // A wake-up for events already read (one read often covers several publishes) costs nothing.
    if (typeof upTo === 'number' && upTo <= this.lastSeq) return;
    this.pending = true;
    if (this.opened && !this.reading) void this.drain();
  }

  /** Reads what is new, once for every subscriber, until no wake-up is pending. */
  private async drain(): Promise<void> {
    this.reading = true;
    const em = this.rt.orm.em.fork();
    while (this.pending && !this.closed) {
      this.pending = false;
      try {
        let batch: StoredEvent[];
        do {
          batch = await readEvents(em, this.conversationId, this.lastSeq, PAGE);
          if (this.closed || !batch.length) break;
          for (const e of batch) this.recent.push({ ...envelopeOf(e), frame: null });
          this.lastSeq = batch[batch.length - 1]!.seq;
          if (this.recent.length > 2 * WINDOW) {
            this.recent = this.recent.slice(-WINDOW);
            this.coveredFrom = this.recent[0]!.seq - 1;
          }
          await this.deliver();
        } while (batch.length === PAGE);
      } catch (err) {
        // The database is away: subscribers stay attached and get the events once it is back.
        this.rt.log.warn({ err: (err as Error).message, conversationId: this.conversationId }, 'conversation events read failed; retrying');
        this.pending = true;
        await sleep(RETRY_MS);
      }
    }
    this.reading = false;
  }

  /** New events: written to direct members, the others woken; now and then the event loop runs. */
  private async deliver(): Promise<void> {
    let writes = 0;
    for (const m of this.members) {
      if (!m.direct) m.notify();
      else if ((writes += this.catchUp(m)) >= WRITES_PER_TURN) {
        writes = 0;
        await new Promise(setImmediate);
      }
    }
  }

  /** Writes a direct member's events after its cursor; returns how many. */
  private catchUp(m: HubMember): number {
    const recent = this.recent;
    const first = recent[0]?.seq ?? this.lastSeq + 1;
    let written = 0;
    for (let i = Math.max(0, m.cursor + 1 - first); i < recent.length; i++) {
      m.write(frameOf(recent[i]!));
      written++;
    }
    // Never back: a subscriber that caught up from the database can be ahead of what the hub has
    // read, and moving it back would write those events again when the hub reads them.
    if (this.lastSeq > m.cursor) m.cursor = this.lastSeq;
    return written;
  }

  /**
   * A member's sink was attached (synchronously, inside the adapter's handling of its hand-off):
   * write what came since its cursor and go direct; one that fell out of the window is handed back
   * to its generator, woken, to pull from the database.
   */
  goDirect(m: HubMember): void {
    if (!this.members.has(m) || !this.covers(m.cursor)) {
      m.notify();
      return m.detach();
    }
    for (const event of m.takeEphemeral()) m.write(dataFrame(event));
    this.writePresence(m, null);
    this.catchUp(m);
    m.direct = true;
  }

  private writePresence(m: HubMember, frame: SharedFrame | null): SharedFrame | null {
    const { version, viewers } = this.presence.current();
    if (version === m.presenceVersion) return frame;
    m.presenceVersion = version;
    frame ??= dataFrame({ type: 'presence', viewers } satisfies EphemeralEvent);
    m.write(frame);
    return frame;
  }

  private receive(msg: EphemeralEvent | PresenceSignal): void {
    if (msg.type === 'presence.beat' || msg.type === 'presence.leave') {
      if (this.presence.receive(msg)) this.presenceChanged();
      return;
    }
    let frame: SharedFrame | null = null;
    for (const m of this.members)
      if (m.direct) m.write((frame ??= dataFrame(msg)));
      else {
        m.push(msg);
        m.notify();
      }
  }

  private beat(): void {
    for (const signal of this.presence.beats()) this.announce(signal);
    if (this.presence.expire()) this.presenceChanged();
  }

  private announce(signal: PresenceSignal | null): void {
    if (signal) void this.rt.bus.publish(ephemeralChannel(this.conversationId), signal).catch(() => undefined);
  }

  private presenceChanged(): void {
    this.presenceTimer ??= setTimeout(() => {
      this.presenceTimer = null;
      const { version } = this.presence.current();
      if (version === this.presenceNotified) return;
      this.presenceNotified = version;
      let frame: SharedFrame | null = null;
      for (const m of this.members)
        if (m.direct) frame = this.writePresence(m, frame);
        else m.notify();
    }, PRESENCE_COALESCE_MS);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    if (this.beats) clearInterval(this.beats);
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    for (const off of this.unsubscribe) off();
  }
}

/**
 * The open hubs of one server, by conversation id. Built once per server by the composition
 * root (services.ts), so two servers in one process never share a hub by accident.
 */
export class ConversationHubs {
  private readonly byId = new Map<string, Promise<ConversationHub>>();

  constructor(private readonly rt: Runtime) {}

  /** Joins the conversation's hub, opening it for the first subscriber. */
  async join(conversationId: string, viewer: Viewer): Promise<HubMember> {
    const byId = this.byId;
    for (;;) {
      let opening = byId.get(conversationId);
      if (!opening) {
        opening = ConversationHub.open(this.rt, conversationId, () => {
          if (byId.get(conversationId) === opening) byId.delete(conversationId);
        });
        byId.set(conversationId, opening);
        opening.catch(() => byId.get(conversationId) === opening && byId.delete(conversationId));
      }
      const hub = await opening;
      if (!hub.closed) return hub.add(viewer);
      // It closed while we waited (its last subscriber left): open a fresh one.
    }
  }
}
