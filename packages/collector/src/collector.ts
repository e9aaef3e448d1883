// The collector: record() samples into a bounded buffer; one sender ships them to
// POST /api/v1/metrics in batches (by size and by time), one request at a time, oldest first.
import type { MetricField, MetricSample } from '@tandem/schema';
import { backoffMs, isRetryableStatus, retryAfterMs } from './retry.ts';
import { hookNodeExit, hookPageHide } from './exit-hooks.ts';

/** What record() takes: every metric optional (at least one), `ts` defaults to now. */
export type SampleInput = Partial<Omit<MetricSample, 'ts'>> & { ts?: number | string | Date };
type WireSample = Omit<SampleInput, 'ts'> & { ts: number | string };

const METRIC_FIELDS = [
  'latency_ms', 'tokens_in', 'tokens_out', 'cost_usd', 'cpu_pct', 'gpu_pct', 'memory_mb', 'requests', 'errors',
] as const satisfies readonly MetricField[];
// Fails to compile when the schema gains a field this list lacks.
const everyField: Exclude<MetricField, (typeof METRIC_FIELDS)[number]> extends never ? true : never = true;
void everyField;

/** The server takes at most this many samples per request (MAX_SAMPLES_PER_REQUEST). */
const MAX_BATCH = 10_000;
/** Browsers cap keepalive request bodies at 64 KiB in total. */
const KEEPALIVE_BODY_BYTES = 60_000;
const RETRY_BASE_MS = 500;

export interface CollectorOptions {
  /** The Tandem server, e.g. `https://tandem.example.com`; samples go to `/api/v1/metrics` on it. */
  url: string;
  /** An ingest key of the workspace (`ingestKey.create`). */
  key: string;
  /** The agent's name; a new name registers the agent. */
  agent: string;
  batchSize?: number;
  flushIntervalMs?: number;
  /** Samples held while the server cannot be reached; beyond it the oldest are dropped. */
  maxBufferSamples?: number;
  /** Upper bound of one backoff wait (a server's Retry-After is honoured up to this too). */
  maxRetryDelayMs?: number;
  /** One request's time limit. */
  requestTimeoutMs?: number;
  /** Node: also flush on beforeExit, SIGTERM and SIGINT. Browsers always flush on pagehide. */
  flushOnExit?: boolean;
  fetch?: typeof fetch;
  onError?: (error: CollectorError) => void;
}

export type CollectorErrorKind =
  /** A sample without any numeric metric field; it was not recorded. */
  | 'invalid'
  /** The server refused a batch for good (400, 401, 413...): the batch is dropped. */
  | 'rejected'
  /** Network error, 429, 5xx: the batch stays buffered and is tried again in `retryInMs`. */
  | 'retrying'
  /** Samples lost: the buffer overflowed, or close() ran out of time. */
  | 'dropped';

export class CollectorError extends Error {
  override name = 'CollectorError';
  constructor(
    readonly kind: CollectorErrorKind,
    message: string,
    readonly details: { status?: number; samples?: number; retryInMs?: number } = {},
  ) {
    super(message);
  }
}

export interface CollectorStats {
  buffered: number;
  sent: number;
  /** Samples lost to the buffer bound, refused batches, or close() timing out. */
  dropped: number;
  requests: number;
}

export interface Collector {
  /** Buffers one sample; false when it was refused (no numeric field, or the collector is closed). */
  record(sample: SampleInput): boolean;
  /** Sends what is buffered now; resolves when it is sent, or when the server asked to wait (it stays buffered). */
  flush(): Promise<void>;
  /** Stops recording and sends everything left, retrying for at most `timeoutMs`; the rest is dropped. */
  close(opts?: { timeoutMs?: number }): Promise<void>;
  stats(): CollectorStats;
}

type Outcome = { kind: 'sent' } | { kind: 'rejected'; status: number } | { kind: 'retry'; waitMs: number; reason: string; status?: number };

const hasMetric = (s: SampleInput) =>
  METRIC_FIELDS.some((f) => typeof s[f] === 'number' && Number.isFinite(s[f]));

/** The sender retries what is worth retrying and drops what the server refused. */
export function createCollector(options: CollectorOptions): Collector {
  const endpoint = new URL('/api/v1/metrics', options.url).toString();
  const batchSize = Math.min(MAX_BATCH, Math.max(1, options.batchSize ?? 500));
  const maxBuffer = Math.max(batchSize, options.maxBufferSamples ?? 10_000);
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const report = (e: CollectorError) => {
    try {
      options.onError?.(e);
    } catch {
      // A throwing error handler must not break the sender.
    }
  };

  let buffer: WireSample[] = [];
  let inFlight = 0;
  const stats = { sent: 0, dropped: 0, requests: 0 };
  let failures = 0;
  /** When the next attempt may start after a retryable failure (epoch ms). */
  let retryAt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> | null = null;
  let closed = false;
  /** Aborts requests when close() runs out of time. */
  const stop = new AbortController();
  /** Overflow is reported once per outage, not once per sample. */
  let overflowReported = false;

  const drop = (n: number, why: string) => {
    if (n <= 0) return;
    stats.dropped += n;
    report(new CollectorError('dropped', `${n} samples dropped: ${why}`, { samples: n }));
  };

  /**
   * Keeps the buffer within the bound, dropping the oldest. The batch in flight is not counted
   * (it cannot be dropped mid-request); if it fails it returns to the front and goes first.
   */
  const trim = () => {
    const over = buffer.length - maxBuffer;
    if (over <= 0) return;
    buffer.splice(0, over);
    stats.dropped += over;
    if (!overflowReported) report(new CollectorError('dropped', `buffer is full (${maxBuffer} samples): dropping the oldest`, { samples: over }));
    overflowReported = true;
  };

  async function post(batch: WireSample[], signal: AbortSignal): Promise<Outcome> {
    stats.requests++;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), requestTimeoutMs);
    const abort = () => timeout.abort();
    signal.addEventListener('abort', abort);
    try {
      const res = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.key}` },
        body: JSON.stringify({ agent: options.agent, samples: batch }),
        signal: timeout.signal,
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return { kind: 'sent' };
      if (!isRetryableStatus(res.status)) return { kind: 'rejected', status: res.status };
      const asked = retryAfterMs(res.headers.get('retry-after'));
      return {
        kind: 'retry', status: res.status, reason: `server answered ${res.status}`,
        waitMs: asked !== null ? Math.min(asked, maxRetryDelayMs) : backoffMs(failures, RETRY_BASE_MS, maxRetryDelayMs),
      };
    } catch (err) {
      return { kind: 'retry', reason: (err as Error).message || 'network error', waitMs: backoffMs(failures, RETRY_BASE_MS, maxRetryDelayMs) };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    }
  }

  /**
   * Sends batches until fewer than `min` samples are left (1: everything; batchSize: only full
   * batches, the rest waits for the timer) or a retryable failure asks to wait.
   */
  async function drain(min: number): Promise<void> {
    while (buffer.length >= min && Date.now() >= retryAt && !stop.signal.aborted) {
      const batch = buffer.splice(0, batchSize);
      inFlight = batch.length;
      const outcome = await post(batch, stop.signal);
      inFlight = 0;
      if (outcome.kind === 'sent') {
        failures = 0;
        overflowReported = false;
        stats.sent += batch.length;
      } else if (outcome.kind === 'rejected') {
        failures = 0;
        stats.dropped += batch.length;
        report(new CollectorError('rejected', `server refused ${batch.length} samples with ${outcome.status}`, { status: outcome.status, samples: batch.length }));
      } else {
        failures++;
        buffer = batch.concat(buffer);
        trim();
        retryAt = Date.now() + outcome.waitMs;
        report(new CollectorError('retrying', `${outcome.reason}; retrying in ${outcome.waitMs} ms`, { status: outcome.status, samples: batch.length, retryInMs: outcome.waitMs }));
        if (!closed) {
          clearTimeout(retryTimer);
          retryTimer = setTimeout(() => {
            retryAt = 0;
            void kick();
          }, outcome.waitMs);
          unref(retryTimer);
        }
        return; // the timer (or close()) resumes after the wait
      }
    }
  }

  /** Starts the sender unless it runs; resolves when this round ends. */
  function kick(onlyFullBatches = false): Promise<void> {
    sending ??= drain(onlyFullBatches ? batchSize : 1).finally(() => {
      sending = null;
    });
    return sending;
  }

  const interval = setInterval(() => {
    if (buffer.length) void kick();
  }, options.flushIntervalMs ?? 1000);
  unref(interval);

  const unhookExit = options.flushOnExit ? hookNodeExit(() => collector.close()) : () => undefined;
  const unhookPage = hookPageHide(() => sendOnUnload());

  /** pagehide: one keepalive request with as many of the oldest samples as the browser allows. */
  function sendOnUnload() {
    if (!buffer.length) return;
    let count = buffer.length;
    let body = JSON.stringify({ agent: options.agent, samples: buffer });
    while (body.length > KEEPALIVE_BODY_BYTES && count > 1) {
      count = Math.floor(count / 2);
      body = JSON.stringify({ agent: options.agent, samples: buffer.slice(0, count) });
    }
    const sent = buffer.splice(0, count);
    stats.requests++;
    void fetchImpl(endpoint, {
      method: 'POST', keepalive: true, body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.key}` },
    }).then(
      (res) => (res.ok ? void (stats.sent += sent.length) : drop(sent.length, `server answered ${res.status} as the page closed`)),
      () => drop(sent.length, 'page closed while offline'),
    );
  }

  const collector: Collector = {
    record(sample) {
      if (closed) return false;
      if (!hasMetric(sample)) {
        report(new CollectorError('invalid', 'a sample needs at least one numeric metric field'));
        return false;
      }
      const ts = sample.ts instanceof Date ? sample.ts.getTime() : sample.ts ?? Date.now();
      buffer.push({ ...sample, ts });
      trim();
      if (buffer.length >= batchSize) void kick(true);
      return true;
    },

    async flush() {
      if (sending) await sending;
      await kick();
    },

    async close(opts = {}) {
      if (closed) return;
      closed = true;
      clearInterval(interval);
      clearTimeout(retryTimer);
      unhookExit();
      unhookPage();
      const deadline = Date.now() + (opts.timeoutMs ?? 5000);
      const stopTimer = setTimeout(() => stop.abort(), Math.max(0, deadline - Date.now()));
      try {
        if (sending) await sending;
        while (buffer.length && !stop.signal.aborted) {
          const wait = retryAt - Date.now();
          if (wait > 0) {
            if (retryAt >= deadline) break;
            await new Promise((r) => setTimeout(r, wait));
          }
          await kick();
        }
      } finally {
        clearTimeout(stopTimer);
        const left = buffer.length;
        buffer = [];
        drop(left, 'close() ran out of time');
      }
    },

    stats: () => ({ buffered: buffer.length + inFlight, ...stats }),
  };
  return collector;
}

/** Node timers keep the process alive; a metrics collector must not. */
function unref(timer: unknown) {
  (timer as { unref?: () => void }).unref?.();
}
