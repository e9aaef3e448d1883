// The signal a live subscription stops on. Node's AbortSignal is an EventTarget that costs about
// 900 bytes once a listener is added (measured with --expose-gc), and every viewer held two of them
// (the adapter's and the auth guard's): a third of what an idle viewer cost beyond its socket
// (issue 12, bench fanout). This holds the same contract for what subscriptions use of it —
// `aborted`, `reason`, 'abort' listeners — in one small object.

/** A function, or an object with `handleEvent` (as EventTarget takes): one owner, no closure. */
type Listener = (() => void) | { handleEvent(): void };

export class StopSignal {
  aborted = false;
  reason: unknown = undefined;
  /** One listener in the common case (a subscription's source), an array past that. */
  private listeners: Listener | Listener[] | null = null;

  addEventListener(_type: 'abort', listener: Listener, _opts?: { once?: boolean }): void {
    if (this.aborted) return; // as AbortSignal: an aborted signal never fires again
    const l = this.listeners;
    this.listeners = l === null ? listener : Array.isArray(l) ? [...l, listener] : [l, listener];
  }

  removeEventListener(_type: 'abort', listener: Listener): void {
    const l = this.listeners;
    if (l === listener) this.listeners = null;
    else if (Array.isArray(l)) {
      const rest = l.filter((x) => x !== listener);
      this.listeners = rest.length === 1 ? rest[0]! : rest;
    }
  }

  /** Aborts once: listeners run at once, in the order they were added (every one is a `once` listener). */
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    const l = this.listeners;
    this.listeners = null;
    if (l === null) return;
    if (Array.isArray(l)) for (const listener of l) call(listener);
    else call(l);
  }

  /**
   * For APIs typed with AbortSignal that use only what this has (tRPC hands the signal to the
   * procedure untouched; our subscriptions read `aborted` and add 'abort' listeners). Never pass it
   * to Node APIs that check for a real AbortSignal (timers/promises, fetch, streams).
   */
  asAbortSignal(): AbortSignal {
    return this as unknown as AbortSignal;
  }
}

const call = (listener: Listener) => (typeof listener === 'function' ? listener() : listener.handleEvent());
