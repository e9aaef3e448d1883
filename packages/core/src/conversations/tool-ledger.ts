// docs/reliability.md §1: a tool that changes things (a task created, renamed, deleted) changes
// them once per run, however often the run is retried after a crash or a lost job lock.
import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Bus } from '../bus/bus.ts';

/** JSON with object keys sorted, so equal arguments hash equally whatever order the model wrote. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v);
}

/**
 * Names the calls of one run attempt: the tool, its arguments' hash, and how many times the
 * attempt made that same call before. A retried attempt that repeats a call gets the same key;
 * one that makes a different call is not mistaken for the first.
 */
export class ToolCallKeys {
  private readonly seen = new Map<string, number>();

  next(tool: string, args: unknown): string {
    const base = `${tool.slice(0, 100)}:${createHash('sha256').update(canonicalJson(args) ?? '').digest('hex').slice(0, 40)}`;
    const n = this.seen.get(base) ?? 0;
    this.seen.set(base, n + 1);
    return `${base}:${n}`;
  }
}

/** Thrown by `work` to leave no trace: its changes roll back and nothing is recorded. */
export class NotRecorded<T> extends Error {
  constructor(readonly outcome: T) {
    super('tool call not recorded');
  }
}

const UNIQUE_VIOLATION = '23505';

/**
 * Runs `work` once per (run, call key). Its changes and the ledger row commit in one transaction,
 * so both happened or neither; a later attempt gets the stored outcome back instead of running it.
 * Two attempts racing (a lost lock) collide on the primary key: the loser's changes roll back and
 * it answers with the winner's outcome.
 */
export async function runOnce<T>(
  em: EntityManager, runId: string, callKey: string, work: (tx: EntityManager) => Promise<T>,
): Promise<{ outcome: T; replayed: boolean }> {
  const recorded = async () =>
    (await em.fork().execute<{ outcome: T }[]>('select outcome from tool_effects where run_id = ? and call_key = ?', [runId, callKey]))[0];
  const before = await recorded();
  if (before) return { outcome: before.outcome, replayed: true };
  try {
    const outcome = await em.fork().transactional(async (tx) => {
      const result = await work(tx);
      await tx.execute('insert into tool_effects (run_id, call_key, outcome) values (?, ?, ?)', [runId, callKey, JSON.stringify(result)]);
      return result;
    });
    return { outcome, replayed: false };
  } catch (err) {
    if (err instanceof NotRecorded) return { outcome: err.outcome as T, replayed: false };
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
      const winner = await recorded();
      if (winner) return { outcome: winner.outcome, replayed: true };
    }
    throw err;
  }
}

/**
 * A bus whose messages wait for the ledger's commit: a Tasks page woken before the commit would
 * read the list without the change. `release` sends them, `drop` forgets them (rolled back).
 */
export class PublishAfterCommit implements Bus {
  private held: [string, unknown][] = [];

  constructor(private readonly bus: Bus) {}

  publish(channel: string, message: unknown): Promise<void> {
    this.held.push([channel, message]);
    return Promise.resolve();
  }

  subscribe(...args: Parameters<Bus['subscribe']>): ReturnType<Bus['subscribe']> {
    return this.bus.subscribe(...args);
  }

  close(): Promise<void> {
    return Promise.resolve(); // the underlying bus belongs to the runtime
  }

  async release(): Promise<void> {
    const held = this.held;
    this.held = [];
    for (const [channel, message] of held) await this.bus.publish(channel, message);
  }

  drop(): void {
    this.held = [];
  }
}
