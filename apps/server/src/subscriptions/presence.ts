// Who is viewing a conversation, across server instances without shared state: each instance's own
// viewers plus what other instances announce on the conversation's ephemeral bus channel.
import { randomUUID } from 'node:crypto';
import type { PresenceSignal } from '@tandem/schema';

export const BEAT_MS = 1500;
// Expiry is checked on each beat, so a silent viewer is gone within EXPIRE_MS + BEAT_MS < 5 s.
export const EXPIRE_MS = 3400;

type Viewer = { id: string; name: string };

/**
 * One conversation's viewers on this instance: its own (local), and what other instances announce
 * (remote). An instance announces each of its viewing users once every BEAT_MS, however many
 * sockets they have open, and says goodbye when a user's last socket goes; a user not heard from
 * for EXPIRE_MS (a killed server) is gone. One beat per user and instance, not per socket: with N
 * viewers a beat per socket made every instance handle N²/BEAT_MS presence messages per second.
 */
export class PresenceRoom {
  /** Prefix of this instance's connection ids, so it can tell its own beats coming back. */
  private readonly instance = randomUUID();
  /** user id → the user and how many of this instance's subscriptions they have open. */
  private readonly local = new Map<string, { user: Viewer; sockets: number }>();
  /** connection id → a viewer announced by another instance and when it was last heard. */
  private readonly remote = new Map<string, { user: Viewer; at: number }>();
  private dirty = true;
  private shownKey = '';
  private viewers: Viewer[] = [];
  private version = 0;

  private connectionOf(user: Viewer): string {
    return `${this.instance}:${user.id}`;
  }

  /** A subscription opened; returns the beat to announce if the user is new on this instance. */
  join(user: Viewer): PresenceSignal | null {
    const entry = this.local.get(user.id);
    if (entry) {
      entry.sockets++;
      return null;
    }
    this.local.set(user.id, { user, sockets: 1 });
    this.dirty = true;
    return { type: 'presence.beat', user, connection: this.connectionOf(user) };
  }

  /** A subscription ended; returns the goodbye to announce if it was the user's last one here. */
  leave(user: Viewer): PresenceSignal | null {
    const entry = this.local.get(user.id);
    if (!entry || --entry.sockets > 0) return null;
    this.local.delete(user.id);
    this.dirty = true;
    return { type: 'presence.leave', user, connection: this.connectionOf(user) };
  }

  /** What this instance announces every BEAT_MS. */
  beats(): PresenceSignal[] {
    return [...this.local.values()].map(({ user }) => ({ type: 'presence.beat', user, connection: this.connectionOf(user) }));
  }

  /** Takes a signal from the bus; true if the set of viewers may have changed. */
  receive(signal: PresenceSignal, now = Date.now()): boolean {
    if (signal.connection.startsWith(`${this.instance}:`)) return false;
    const known = this.remote.has(signal.connection);
    if (signal.type === 'presence.leave') this.remote.delete(signal.connection);
    else this.remote.set(signal.connection, { user: signal.user, at: now });
    if (known !== (signal.type === 'presence.beat')) this.dirty = true;
    return this.dirty;
  }

  /** Drops remote viewers not heard from for EXPIRE_MS; true if the set may have changed. */
  expire(now = Date.now()): boolean {
    for (const [connection, entry] of this.remote)
      if (now - entry.at > EXPIRE_MS) this.dirty = this.remote.delete(connection) || this.dirty;
    return this.dirty;
  }

  /**
   * The viewers, one entry per user, sorted by name, and a version that changes when they do.
   * Recomputed only after a change, by whichever subscriber asks first.
   */
  current(): { version: number; viewers: Viewer[] } {
    if (this.dirty) {
      this.dirty = false;
      const users = new Map<string, Viewer>();
      for (const { user } of this.local.values()) users.set(user.id, user);
      for (const { user } of this.remote.values()) users.set(user.id, user);
      const viewers = [...users.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
      const key = viewers.map((v) => v.id).join(',');
      if (key !== this.shownKey) {
        this.shownKey = key;
        this.viewers = viewers;
        this.version++;
      }
    }
    return { version: this.version, viewers: this.viewers };
  }
}
