// A few calls of one client at a time, so one client starting thousands of calls at once cannot
// queue every other tenant behind them in the shared database pool.
import { AppError } from '@tandem/core';

interface ClientSlots {
  running: number;
  waiting: { start(): void; abandon(): void }[];
}

/**
 * The database pool is shared by every tenant and serves its waiters in order, and a WebSocket
 * needs no new request per call. Each client runs at most `running` calls; up to `waiting` more
 * wait their turn; beyond, TOO_MANY_REQUESTS at once.
 */
export class WorkSlots {
  private readonly clients = new Map<string, ClientSlots>();

  constructor(
    private readonly limits: { running: number; waiting: number },
    /** What the refusal says is too many, e.g. "expensive queries". */
    private readonly what: string,
  ) {}

  /** Runs `fn` in one of `client`'s slots; a call whose client went away (`signal`) stops waiting. */
  async run<T>(client: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(client, signal);
    try {
      return await fn();
    } finally {
      this.release(client);
    }
  }

  private acquire(client: string, signal?: AbortSignal): Promise<void> {
    let slots = this.clients.get(client);
    if (!slots) this.clients.set(client, (slots = { running: 0, waiting: [] }));
    if (slots.running < this.limits.running) {
      slots.running++;
      return Promise.resolve();
    }
    if (slots.waiting.length >= this.limits.waiting)
      return Promise.reject(new AppError('TOO_MANY_REQUESTS', `Too many ${this.what} at once; wait for the ones running`, { retryAfterMs: 1000 }));
    if (signal?.aborted) return Promise.reject(new AppError('TOO_MANY_REQUESTS', 'The call was cancelled', { retryAfterMs: 1000 }));
    const queue = slots.waiting;
    return new Promise<void>((resolve, reject) => {
      const entry = {
        start: () => {
          signal?.removeEventListener('abort', entry.abandon);
          resolve();
        },
        abandon: () => {
          const at = queue.indexOf(entry);
          if (at !== -1) queue.splice(at, 1);
          reject(new AppError('TOO_MANY_REQUESTS', 'The call was cancelled while it waited', { retryAfterMs: 1000 }));
        },
      };
      queue.push(entry);
      signal?.addEventListener('abort', entry.abandon, { once: true });
    });
  }

  /** Hands the slot to the next waiter, or frees it. */
  private release(client: string): void {
    const slots = this.clients.get(client);
    if (!slots) return;
    const next = slots.waiting.shift();
    if (next) return next.start();
    slots.running--;
    if (slots.running <= 0) this.clients.delete(client);
  }

  /** Calls running and waiting for `client` (tests, metrics). */
  load(client: string): { running: number; waiting: number } {
    const slots = this.clients.get(client);
    return { running: slots?.running ?? 0, waiting: slots?.waiting.length ?? 0 };
  }
}
