// BullMQ on Redis (services mode) or on its PostgreSQL backend (embedded), behind one small API.
import { hostname } from 'node:os';
import {
  Queue, Worker, createPostgresBackend, type Job, type JobProgress, type PostgresConnectionOptions, type PostgresQueueBackend, type Processor, type WorkerOptions,
} from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AppError } from '../errors.ts';
import { jobDefinitions, queueNames, type JobInput, type JobName } from './jobs.ts';

export interface QueueTarget {
  redisUrl?: string;
  databaseUrl: string;
  /** Redis key prefix / queue-name prefix, so parallel test runs never share queues. */
  prefix: string;
  /**
   * Worker wake-up poll in seconds. PGlite behind pglite-socket is one shared session, so NOTIFY
   * never reaches the worker's LISTEN connection: embedded mode polls instead (BullMQ drainDelay;
   * PollingWorker keeps a pending delayed job from stretching the wait).
   */
  pollSeconds?: number;
  /** Job lock duration; a job whose worker died is re-run after about this long (stall check). */
  lockMs?: number;
}

type AnyQueue = Queue<unknown, unknown, string>;

/** How long a producer waits for Redis to answer before telling the caller to try again. */
const PRODUCER_COMMAND_TIMEOUT_MS = 5000;
/** What a refused enqueue suggests as Retry-After: about how long a Redis restart takes. */
const QUEUE_RETRY_AFTER_MS = 5000;
/** A failed attempt is retried after 1 s, 2 s, 4 s, … (up to the job's `attempts`). */
const RETRY_BACKOFF = { type: 'exponential', delay: 1000 } as const;
/** Finished jobs are kept an hour (at most 1,000) for inspection and idempotent re-sends. */
const KEEP_COMPLETED = { age: 3600, count: 1000 } as const;
/** Failed jobs are kept a week, to read why they failed. */
const KEEP_FAILED = { age: 7 * 24 * 3600 } as const;

/**
 * A PostgreSQL-backed worker that looks for new jobs at least every drainDelay seconds. While its
 * queue holds a delayed job (an export schedule's next run, months away), BullMQ waits until that
 * job is due, up to an hour on PostgreSQL, counting on NOTIFY to wake it for jobs added meanwhile;
 * embedded mode gets no NOTIFY, so a new export stayed queued for minutes.
 */
class PollingWorker extends Worker<unknown, unknown, string, PostgresQueueBackend, JobProgress, PostgresConnectionOptions> {
  override get maximumBlockTimeout(): number {
    return Math.min(super.maximumBlockTimeout, this.opts.drainDelay ?? super.maximumBlockTimeout);
  }
}

export class Queues {
  private readonly queues = new Map<string, AnyQueue>();
  private readonly workers: Worker[] = [];
  private readonly redisClients: Redis[] = [];
  private readonly draining = new AbortController();
  private readonly closing = new AbortController();

  constructor(
    readonly target: QueueTarget,
    private readonly log: Logger,
  ) {}

  /**
   * Aborts when a shutdown drain runs out of time. Processors pass it to their handlers and hand
   * the job back to the queue (moveToWait) instead of failing it, so no job is left active.
   */
  get shutdownSignal(): AbortSignal {
    return this.draining.signal;
  }

  /** Aborts when close() begins: periodic work tied to these queues stops with them. */
  get closingSignal(): AbortSignal {
    return this.closing.signal;
  }

  get backend(): 'redis' | 'postgres' {
    return this.target.redisUrl ? 'redis' : 'postgres';
  }

  private redis(forWorker: boolean): Redis {
    // Workers block and must retry forever; producers fail fast instead of hanging (docs/reliability.md §4):
    // no offline queue while disconnected, and a reply timeout for a Redis that stalls.
    const client = new Redis(this.target.redisUrl!, forWorker
      ? { maxRetriesPerRequest: null, connectTimeout: 5000 }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000, commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS });
    client.on('error', (err) => this.log.warn({ err: err.message }, 'redis connection error'));
    this.redisClients.push(client);
    return client;
  }

  private pg() {
    return { connection: { connectionString: this.target.databaseUrl, max: 4, migrate: true } };
  }

  private queueName(name: string): string {
    return this.backend === 'postgres' ? `${this.target.prefix}-${name}` : name;
  }

  queue(name: string): AnyQueue {
    let q = this.queues.get(name);
    if (!q) {
      q = this.backend === 'redis'
        ? new Queue(this.queueName(name), { connection: this.redis(false), prefix: this.target.prefix })
        : (new Queue(this.queueName(name), this.pg(), createPostgresBackend) as unknown as AnyQueue);
      q.on('error', (err) => this.log.warn({ err: err.message, queue: name }, 'queue error'));
      this.queues.set(name, q);
    }
    return q;
  }

  /**
   * Runs `fn` on the named queue's client. On PostgreSQL a client whose call failed is dropped,
   * so the next call makes a fresh one: BullMQ's PostgreSQL backend memoizes its first connection
   * attempt, and a Queue first used while PostgreSQL was down kept failing after it came back
   * (found by the outage test with the queue on PostgreSQL: /readyz's ping and later questions
   * failed for good). Redis clients reconnect by themselves.
   */
  async withQueue<T>(name: string, fn: (q: AnyQueue) => Promise<T>): Promise<T> {
    const q = this.queue(name);
    try {
      return await fn(q);
    } catch (err) {
      if (this.backend === 'postgres' && this.queues.get(name) === q) {
        this.queues.delete(name);
        void q.close().catch(() => undefined);
      }
      throw err;
    }
  }

  /** Enqueues a job; `jobId` makes a retried request idempotent. */
  async add<N extends JobName>(name: N, payload: JobInput<N>, opts: { jobId?: string } = {}): Promise<Job> {
    const def = jobDefinitions[name];
    const data = def.payload.parse(payload);
    try {
      return await this.withQueue(def.queue, (q) => q.add(name, data, {
        jobId: opts.jobId,
        attempts: def.attempts,
        backoff: RETRY_BACKOFF,
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
      }));
    } catch (err) {
      this.log.error({ err }, 'enqueue failed');
      throw new AppError('SERVICE_UNAVAILABLE', 'The job queue is unavailable; try again shortly', { retryAfterMs: QUEUE_RETRY_AFTER_MS });
    }
  }

  /**
   * Makes sure the job with this id is going to run, for work the caller knows is not done: adds
   * it when the queue does not have it (lost, or never added), runs it again when it has ended.
   */
  async ensureJob<N extends JobName>(name: N, payload: JobInput<N>, jobId: string): Promise<'present' | 'added' | 'retried'> {
    return this.withQueue(jobDefinitions[name].queue, async (q) => {
      const job = await q.getJob(jobId);
      if (!job) {
        await this.add(name, payload, { jobId }); // ignored if a producer added it meanwhile
        return 'added';
      }
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed') return 'present';
      await job.retry(state);
      return 'retried';
    });
  }

  startWorker(queue: string, processor: Processor, opts: Partial<WorkerOptions> = {}): Worker {
    const lock = this.target.lockMs ?? 30_000;
    // runRetryDelay: after a failed fetch (Redis restarting) try again in a second, not BullMQ's 15.
    const common = {
      concurrency: 4, autorun: true, drainDelay: this.target.pollSeconds ?? 5, lockDuration: lock, stalledInterval: lock, runRetryDelay: 1000,
      // Stored on each job it takes (processedBy): which process runs a job, for operators and fault tests.
      name: `${hostname()}:${process.pid}`,
      ...opts,
    };
    const worker = this.backend === 'redis'
      ? new Worker(this.queueName(queue), processor, { ...common, connection: this.redis(true), prefix: this.target.prefix })
      : this.target.pollSeconds === undefined
        ? (new Worker(this.queueName(queue), processor, { ...common, ...this.pg() }, createPostgresBackend) as unknown as Worker)
        : (new PollingWorker(this.queueName(queue), processor, { ...common, ...this.pg() }, createPostgresBackend) as unknown as Worker);
    worker.on('error', (err) => this.log.warn({ err: err.message, queue }, 'worker error'));
    worker.on('failed', (job, err) => this.log.warn({ jobId: job?.id, name: job?.name, err: err.message }, 'job failed'));
    this.workers.push(worker);
    return worker;
  }

  /** Waits for a job to finish by polling its state (works on both backends without QueueEvents). */
  async waitForResult<T>(job: Job, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    const name = jobDefinitions[job.name as JobName].queue;
    while (Date.now() < deadline) {
      const fresh = await this.withQueue(name, (q) => q.getJob(job.id!));
      if (fresh?.finishedOn) {
        if (fresh.failedReason) throw new Error(fresh.failedReason);
        return fresh.returnvalue as T;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new AppError('SERVICE_UNAVAILABLE', `job ${job.name} did not finish within ${timeoutMs} ms`);
  }

  /**
   * Stops workers with a bounded drain (BullMQ's close() has no timeout of its own): running jobs
   * get `timeoutMs` to finish; then they are aborted and handed back to the queue.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closing.abort();
    const graceful = Promise.all(this.workers.map((w) => w.close()));
    const within = (ms: number) => Promise.race([
      graceful.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref()),
    ]);
    if (!(await within(timeoutMs))) {
      this.log.warn({ timeoutMs }, 'jobs still running after the drain timeout; handing them back to the queue');
      this.draining.abort();
      if (!(await within(5000))) await Promise.all(this.workers.map((w) => w.close(true).catch(() => undefined)));
    }
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    for (const c of this.redisClients) c.disconnect();
  }
}

export { queueNames };
