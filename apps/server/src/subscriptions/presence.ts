// Who is viewing a conversation, across server instances without shared state: every open
// subscription announces itself on the conversation's ephemeral bus channel every BEAT_MS and
// says goodbye when it ends; a viewer not heard from for EXPIRE_MS (a dropped socket, a killed
// server) is gone.
import { randomUUID } from 'node:crypto';
import type { PresenceSignal } from '@tandem/schema';

export const BEAT_MS = 1500;
// Expiry is checked on each beat, so a silent viewer is gone within EXPIRE_MS + BEAT_MS < 5 s.
export const EXPIRE_MS = 3400;

type Viewer = { id: string; name: string };

export class PresenceTracker {
  readonly connection = randomUUID();
  /** connection id → viewer and when last heard. */
  private readonly seen = new Map<string, { user: Viewer; at: number }>();
  private lastShown = '';

  constructor(readonly me: Viewer) {
    this.seen.set(this.connection, { user: me, at: Date.now() });
  }

  beat(): PresenceSignal {
    this.seen.set(this.connection, { user: this.me, at: Date.now() });
    return { type: 'presence.beat', user: this.me, connection: this.connection };
  }

  leave(): PresenceSignal {
    return { type: 'presence.leave', user: this.me, connection: this.connection };
  }

  /** Takes a signal from the bus. */
  receive(signal: PresenceSignal): void {
    if (signal.type === 'presence.beat') this.seen.set(signal.connection, { user: signal.user, at: Date.now() });
    else this.seen.delete(signal.connection);
  }

  /** The viewers, one entry per user, if the list changed since it was last returned. */
  changed(now = Date.now()): Viewer[] | null {
    for (const [connection, entry] of this.seen)
      if (connection !== this.connection && now - entry.at > EXPIRE_MS) this.seen.delete(connection);
    const viewers = [...new Map([...this.seen.values()].map((e) => [e.user.id, e.user])).values()]
      .sort((a, b) => a.name.localeCompare(b.name));
    const shown = viewers.map((v) => v.id).join(',');
    if (shown === this.lastShown) return null;
    this.lastShown = shown;
    return viewers;
  }
}
