// docs/reliability.md §9: the backlog read of conversation.events racing live events; whatever the
// interleaving, every subscriber gets every event after its lastEventId exactly once, in order.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { EntityManager } from '@mikro-orm/postgresql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  appendEvents, conversationChannel, createConversation, readEvents, RedisBus, registerUser, sequenceBounds, wakeSubscribers,
  type Bus, type Runtime,
} from '@tandem/core';
import { availableModes, createTestRuntime, TEST_REDIS_URL, type TestRuntime } from '@tandem/core/testing';
import type { ConversationEvent } from '@tandem/schema';
import { conversationEvents } from '../src/subscriptions/conversation-events.ts';
import { ConversationHubs } from '../src/subscriptions/conversation-hub.ts';
import { directStream } from './direct-stream.ts';

const modes = await availableModes();
/** A subscriber that has not caught up by then lost an event (a missed wake-up stalls it). */
const STALL_MS = 10_000;

type Scheduler = fc.Scheduler;

/**
 * Runs `fn` as one step of the schedule: it starts when the scheduler picks it, and the scheduler
 * waits until it is done, so its real I/O happens between the steps before and after it.
 */
function step<T>(s: Scheduler, label: string, fn: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    s.scheduleSequence([{ label, builder: () => fn().then(resolve, reject) }]);
  });
}

/**
 * The runtime as the subscription sees it, with the scheduler between it and the real database
 * and bus: nothing is mocked, but each query runs, each listener goes live and each result and
 * bus message is handed over when the scheduler says so.
 */
function scheduledRuntime(rt: Runtime, s: Scheduler): Runtime {
  const bus: Bus = {
    publish: (channel, message) => rt.bus.publish(channel, message),
    async subscribe(channel, handler, opts) {
      const off = await step(s, `subscribe ${channel}`, () =>
        rt.bus.subscribe(channel, (msg) => void s.schedule(Promise.resolve(msg), `bus ${channel}`).then(handler), opts));
      await s.schedule(Promise.resolve(), `subscribed ${channel}`);
      return off;
    },
    close: () => rt.bus.close(),
  };
  const fork = (): EntityManager => {
    const em = rt.orm.em.fork();
    const execute = em.execute.bind(em);
    em.execute = (async (...args: Parameters<typeof execute>) => {
      const rows = await step(s, 'read', () => execute(...args));
      await s.schedule(Promise.resolve(), 'read returns');
      return rows;
    }) as typeof em.execute;
    return em;
  };
  return { ...rt, bus, orm: { ...rt.orm, em: { fork } } } as unknown as Runtime;
}

/** Appends a batch in one transaction and wakes subscribers after commit, like the worker. */
async function append(rt: Runtime, conversationId: string, titles: string[]): Promise<void> {
  const events: ConversationEvent[] = titles.map((title) => ({ type: 'conversation.updated', title, archived: false }));
  const seqs = await rt.orm.em.fork().transactional((tx) => appendEvents(tx, conversationId, events));
  await wakeSubscribers(rt.bus, conversationId, seqs[seqs.length - 1]!);
}

/** One server's hubs per runtime view, so the subscribers of one run share a hub as on one server. */
const hubs = new WeakMap<Runtime, ConversationHubs>();
const hubsOf = (rt: Runtime): ConversationHubs => {
  let h = hubs.get(rt);
  if (!h) hubs.set(rt, (h = new ConversationHubs(rt)));
  return h;
};

/** Runs the real subscription until it has delivered `lastSeq`; returns the tracked events. */
async function collect(rt: Runtime, conversationId: string, lastEventId: string, lastSeq: number, viewerId: string,
  got: { id: number; event: unknown }[] = []) {
  const abort = new AbortController();
  // Through direct delivery as on a socket: replayed events from the generator, live ones written by the hub.
  const gen = directStream(conversationEvents(rt, hubsOf(rt), conversationId, lastEventId, abort.signal, { id: viewerId, name: 'Viewer' }));
  try {
    if (Number(lastEventId) === lastSeq) return got;
    for await (const item of gen) {
      if (!Array.isArray(item)) continue; // presence: not part of the tracked stream
      const [id, event] = item as unknown as [string, unknown];
      got.push({ id: Number(id), event });
      if (Number(id) >= lastSeq) break;
    }
    return got;
  } finally {
    abort.abort();
    await gen.return(undefined);
  }
}

function withDeadline<T>(p: Promise<T>, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`stalled: ${what()}`)), STALL_MS))),
  ]);
}

describe.each(modes)('backlog read racing live events (%s)', (mode) => {
  let rt: TestRuntime;
  let userId: string;
  let workspaceId: string;
  beforeAll(async () => {
    rt = await createTestRuntime(mode);
    const user = await registerUser(rt.orm.em.fork(), { email: `race-${randomUUID()}@example.com`, password: 'correct horse', name: 'Race' });
    userId = user.id;
    const [ws] = await rt.orm.em.fork().execute<{ workspace_id: string }[]>('select workspace_id from memberships where user_id = ?', [userId]);
    workspaceId = ws!.workspace_id;
  });
  afterAll(() => rt?.close());

  // fast-check's scheduler decides when each bus wake-up reaches the subscription, when each of its
  // database reads starts and returns, when the subscription's listener is attached, and when each
  // append (a real transaction + bus publish, as the worker does) begins.
  it('delivers every event exactly once, in order, gapless, whatever the interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 0, max: 4 }), // events stored before anyone subscribes
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 6 }), // live appends, sizes of their batches
        // Subscribers: each resumes from an id stored before, or from wherever the log ends when it
        // starts (a client that just loaded the conversation).
        fc.array(fc.option(fc.nat(), { nil: 'latest' as const }), { minLength: 1, maxLength: 3 }),
        async (s, before, batches, resumes) => {
          const { id: conversationId } = await createConversation(rt.orm.em.fork(), workspaceId, userId);
          if (before) await append(rt, conversationId, Array.from({ length: before }, (_, i) => `before ${i}`));
          const lastSeq = before + batches.reduce((a, b) => a + b, 0);
          const view = scheduledRuntime(rt, s);

          const appends = batches.map((size, b) =>
            step(s, `append ${b}`, () => append(rt, conversationId, Array.from({ length: size }, (_, i) => `live ${b}.${i}`))));
          const subscribers = resumes.map((r, k) =>
            s.schedule(Promise.resolve(), `subscriber ${k} from ${r}`).then(async () => {
              const from = r === 'latest' ? (await sequenceBounds(rt.orm.em.fork(), conversationId)).lastSeq : r % (before + 1);
              return { from, events: await collect(view, conversationId, String(from), lastSeq, userId) };
            }));
          const results = await withDeadline(
            s.waitFor(Promise.all([Promise.all(appends), Promise.all(subscribers)])),
            () => `${s.report().filter((t) => t.status === 'pending').map((t) => t.label).join(', ')}`,
          );

          const stored = await readEvents(rt.orm.em.fork(), conversationId, 0, 1000);
          expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
          for (const { from, events } of results[1]) {
            const want = stored.filter((e) => e.seq > from);
            expect(events.map((e) => e.id)).toEqual(want.map((e) => e.seq));
            expect(events.map((e) => e.event)).toEqual(want.map((e) => e.event));
          }
        },
      ),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('a subscriber resuming from before the shared window of recent events catches up from the database', async () => {
    const { id: conversationId } = await createConversation(rt.orm.em.fork(), workspaceId, userId);
    const total = 2100; // more than the hub keeps in memory
    const seen: { id: number; event: unknown }[] = [];
    const live = collect(rt, conversationId, '0', total, userId, seen);
    for (let b = 0; b < total / 100; b++) {
      await append(rt, conversationId, Array.from({ length: 100 }, (_, i) => `e ${b}.${i}`));
      if (b === 0) await vi.waitFor(() => expect(seen.length).toBe(100)); // the hub is open and live
    }
    const late = await collect(rt, conversationId, '5', total, userId);
    const stored = await readEvents(rt.orm.em.fork(), conversationId, 0, 10_000);
    expect((await live).map((e) => e.id)).toEqual(stored.map((e) => e.seq));
    expect(late.map((e) => e.id)).toEqual(stored.slice(5).map((e) => e.seq));
    expect(late.map((e) => e.event)).toEqual(stored.slice(5).map((e) => e.event));
  });

  // Services only (a Redis bus); defined conditionally so embedded runs report no skipped test.
  if (mode === 'services') it('a second subscriber of a Redis channel is live when subscribe returns', async () => {
    // The subscription relies on this: a listener attached "before the backlog read" that is not
    // yet live on the bus would miss a wake-up and leave its viewer without events until the next.
    // A bus whose connection is still being made keeps the first SUBSCRIBE in flight long enough.
    const fresh = new RedisBus(TEST_REDIS_URL, `${rt.queues.target.prefix}:bus:`, pino({ level: 'silent' }));
    const channel = conversationChannel(randomUUID());
    const heard: string[] = [];
    const first = fresh.subscribe(channel, () => heard.push('first'));
    const second = await fresh.subscribe(channel, () => heard.push('second'));
    await rt.bus.publish(channel, { lastSeq: 1 });
    (await first)();
    await new Promise((r) => setTimeout(r, 300));
    second();
    await fresh.close();
    expect(heard).toContain('second');
  });
});
