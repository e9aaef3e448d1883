// The baseline: the raw parts the question → first delta path is built of, measured one at a time
// in this process on the same PostgreSQL and Redis: a queue add → worker pickup (our Queues wrapper
// over BullMQ, same options as the worker's, its own prefix so the real worker never sees it), and
// one event row round trip (append in a transaction, bus wake-up, read the row back).
import { pino } from 'pino';
import { Queues, appendEvents, conversationChannel, readEvents, wakeSubscribers, type Runtime } from '@tandem/core';
import { summary, type Summary } from './stats.ts';

export async function queuePickup(redisUrl: string, databaseUrl: string, prefix: string, warmup: number, count: number): Promise<{ add_to_pickup_ms: Summary; add_call_ms: Summary }> {
  const queues = new Queues({ redisUrl, databaseUrl, prefix }, pino({ level: 'warn' }));
  const pickups = new Map<string, (at: number) => void>();
  queues.startWorker('system', async (job) => {
    pickups.get((job.data as { nonce: string }).nonce)?.(performance.now());
    return null;
  });
  const pickup: number[] = [];
  const addCall: number[] = [];
  for (let i = 0; i < warmup + count; i++) {
    const nonce = `raw-${i}`;
    const picked = new Promise<number>((resolve) => pickups.set(nonce, resolve));
    const t0 = performance.now();
    await queues.add('ping', { nonce });
    const added = performance.now();
    const at = await picked;
    pickups.delete(nonce);
    if (i < warmup) continue;
    pickup.push(at - t0);
    addCall.push(added - t0);
  }
  await queues.close();
  return { add_to_pickup_ms: summary(pickup), add_call_ms: summary(addCall) };
}

/**
 * One `message.delta` row appended as the worker does (its own transaction, then the bus wake-up),
 * heard on the bus as a server does, and read back by sequence number as a subscription does.
 */
export async function eventRoundTrip(rt: Runtime, conversationId: string, warmup: number, count: number) {
  let heard: ((at: number) => void) | null = null;
  const unsubscribe = await rt.bus.subscribe(conversationChannel(conversationId), () => heard?.(performance.now()));
  const total: number[] = [];
  const commit: number[] = [];
  const bus: number[] = [];
  const read: number[] = [];
  const messageId = crypto.randomUUID();
  for (let i = 0; i < warmup + count; i++) {
    const woken = new Promise<number>((resolve) => (heard = resolve));
    const t0 = performance.now();
    const [seq] = await rt.orm.em.fork().transactional((tx) => appendEvents(tx, conversationId, [{ type: 'message.delta', messageId, text: 'The answer is 42.' }]));
    const committed = performance.now();
    await wakeSubscribers(rt.bus, conversationId, seq!);
    const heardAt = await woken;
    const rows = await readEvents(rt.orm.em.fork(), conversationId, seq! - 1, 500);
    const t1 = performance.now();
    if (rows[0]?.seq !== seq) throw new Error(`read back seq ${rows[0]?.seq}, expected ${seq}`);
    if (i < warmup) continue;
    total.push(t1 - t0);
    commit.push(committed - t0);
    bus.push(heardAt - committed);
    read.push(t1 - heardAt);
  }
  unsubscribe();
  return { round_trip_ms: summary(total), append_commit_ms: summary(commit), bus_publish_to_receive_ms: summary(bus), read_back_ms: summary(read) };
}
