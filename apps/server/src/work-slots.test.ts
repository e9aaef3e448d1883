// WorkSlots: at most `running` calls of one client at once, `waiting` more queued in order, the
// rest refused at once; other clients are not affected; a caller that leaves stops waiting.
import { describe, expect, it } from 'vitest';
import { AppError } from '@tandem/core';
import { WorkSlots } from './work-slots.ts';

/** A call that runs until `finish()`. */
function gate() {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return { done, finish };
}

describe('WorkSlots', () => {
  it('runs a few calls per client, queues some, refuses the rest, and hands slots on in order', async () => {
    const slots = new WorkSlots({ running: 2, waiting: 3 }, 'queries');
    const gates = Array.from({ length: 7 }, gate);
    const started: number[] = [];
    const calls = gates.map((g, i) => slots.run('a', async () => {
      started.push(i);
      await g.done;
      return i;
    }));
    const outcomes = calls.map((c) => c.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : 'other')));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(slots.load('a')).toEqual({ running: 2, waiting: 3 });
    expect(await outcomes[5]).toBe('TOO_MANY_REQUESTS');
    expect(await outcomes[6]).toBe('TOO_MANY_REQUESTS');
    // Another client has slots of its own.
    expect(await slots.run('b', async () => 'b')).toBe('b');
    gates[1]!.finish();
    await calls[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.finish();
    expect(await Promise.all(outcomes.slice(0, 5))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(slots.load('a')).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot when a call fails, and drops a waiter whose caller left', async () => {
    const slots = new WorkSlots({ running: 1, waiting: 5 }, 'queries');
    const first = gate();
    const running = slots.run('a', () => first.done);
    const leaving = new AbortController();
    const waiter = slots.run('a', async () => 'never', leaving.signal);
    leaving.abort();
    await expect(waiter).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(slots.load('a')).toEqual({ running: 1, waiting: 0 });
    first.finish();
    await running;
    await expect(slots.run('a', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(slots.load('a')).toEqual({ running: 0, waiting: 0 });
  });
});
