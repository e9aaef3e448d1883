// conversation.typing fans out to every viewer: at most one typing event per user and
// conversation per interval, however often a client calls.
export const TYPING_THROTTLE_MS = 2000;
/** Past this many entries, stale ones are dropped so the map stays small. */
const PRUNE_AT = 10_000;

export class TypingThrottle {
  private readonly lastTyping = new Map<string, number>();

  constructor(private readonly intervalMs = TYPING_THROTTLE_MS) {}

  /** True when this user's typing in this conversation should be announced now. */
  admit(conversationId: string, userId: string, now = Date.now()): boolean {
    const key = `${conversationId}:${userId}`;
    if (now - (this.lastTyping.get(key) ?? 0) < this.intervalMs) return false;
    // Only entries younger than the interval matter.
    if (this.lastTyping.size > PRUNE_AT)
      for (const [k, at] of this.lastTyping) if (now - at >= this.intervalMs) this.lastTyping.delete(k);
    this.lastTyping.set(key, now);
    return true;
  }
}
