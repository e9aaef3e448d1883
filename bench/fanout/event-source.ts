// The fanout benchmark's events: appended to a conversation and announced as the worker does, or
// published on the baseline's bus channel. In services mode they come from a process of their own,
// as the worker's do in production: the bench process holds up to 10,000 client sockets, and an
// append made there waited for that busy event loop at each of its round trips (publish p99
// 75–81 ms at 10,000 viewers, which every delivery's latency then carried).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { appendEvents, createRuntime, wakeSubscribers, type Runtime } from '@tandem/core';
import { TEST_REDIS_URL, type TestRuntime } from '@tandem/core/testing';
import { parseConfig } from '@tandem/schema';
import { RAW_CHANNEL } from './raw-broadcast.ts';

/** Milliseconds since the epoch, to the microsecond: one clock for every process on this machine. */
export const epochNow = () => performance.timeOrigin + performance.now();

/** A run of events: `count` at `rate` per second, appended round-robin to `conversations`, or (none given) published raw. */
export interface Run {
  count: number;
  rate: number;
  conversations?: string[];
}

/** Publishes in flight at once: a busy database must not lower the offered rate. */
const PUBLISHES_IN_FLIGHT = 8;

/**
 * Runs `run` on `rt`; resolves with how long each publish took (ms). An appended event is a delta
 * whose text is its send time; a raw one is `{i, t}`. The appends of one conversation still commit
 * one after another, each with the next seq.
 */
export async function publishRun(rt: Runtime, run: Run, counter: { next: number }): Promise<Float64Array> {
  const messageId = crypto.randomUUID();
  const publish = async (i: number) => {
    if (!run.conversations) return rt.bus.publish(RAW_CHANNEL, { i, t: epochNow() });
    const conversationId = run.conversations[i % run.conversations.length]!;
    const sentAt = epochNow();
    const [seq] = await rt.orm.em.fork().transactional((tx) =>
      appendEvents(tx, conversationId, [{ type: 'message.delta', messageId, text: sentAt.toFixed(3) }]));
    await wakeSubscribers(rt.bus, conversationId, seq!);
  };
  const took = new Float64Array(run.count);
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  for (let k = 0; k < run.count; k++) {
    const wait = start + (k * 1000) / run.rate - performance.now();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= PUBLISHES_IN_FLIGHT) await Promise.race(inFlight);
    const t0 = performance.now();
    const p: Promise<void> = publish(counter.next++).then(() => {
      took[k] = performance.now() - t0;
      inFlight.delete(p);
    });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  return took;
}

// Services mode: `node --import tsx bench/fanout/event-source.ts` on the bench's database and
// Redis; reads one Run per stdin line and answers each with a line of publish durations.
if (import.meta.filename === process.argv[1]) {
  const config = parseConfig({ DATABASE_URL: process.env.DATABASE_URL!, REDIS_URL: process.env.REDIS_URL!, DATA_DIR: process.env.DATA_DIR!, DEMO: '0', LOG_LEVEL: 'warn' });
  const rt = await createRuntime(config, { prefix: process.env.QUEUE_PREFIX!, log: pino({ level: 'warn' }) });
  const counter = { next: 0 };
  console.log('event source ready');
  for await (const line of createInterface({ input: process.stdin })) {
    const took = await publishRun(rt, JSON.parse(line) as Run, counter);
    console.log(JSON.stringify({ took: [...took] }));
  }
  await rt.close();
}

/** Where the bench's events come from: this process (embedded mode: PGlite is in-process) or a process of their own. */
export interface EventSource {
  run(run: Run): Promise<Float64Array>;
  close(): Promise<void>;
}

export async function startEventSource(rt: TestRuntime): Promise<EventSource> {
  if (rt.mode === 'embedded') {
    const counter = { next: 0 };
    return { run: (run) => publishRun(rt, run, counter), close: async () => undefined };
  }
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: rt.dataDir, DATABASE_URL: rt.databaseUrl, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: rt.queues.target.prefix },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done || !String(first.value).startsWith('event source ready')) throw new Error(`event source did not start: ${String(first.value)}`);
  return {
    async run(run) {
      child.stdin.write(`${JSON.stringify(run)}\n`);
      const reply = await lines.next();
      if (reply.done) throw new Error('event source exited');
      return Float64Array.from((JSON.parse(reply.value) as { took: number[] }).took);
    },
    close: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.stdin.end();
    }),
  };
}
