// The collector against a local node:http server playing POST /api/v1/metrics (an external peer):
// batching by size and time, retries, drop on 400, the buffer bound, flush on close.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CollectorError, createCollector, type CollectorOptions } from '../src/index.ts';
import { backoffMs, retryAfterMs } from '../src/retry.ts';

interface Received {
  auth: string | undefined;
  body: { agent: string; samples: { ts: number; latency_ms?: number; requests?: number }[] };
}

type Responder = (req: IncomingMessage, res: ServerResponse, n: number) => void;
const accept: Responder = (_req, res) => void res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1}');

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** An ingestion endpoint; `respond` decides each answer (n counts requests from 0). */
async function endpoint(respond: Responder = accept) {
  const received: Received[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      expect(req.url).toBe('/api/v1/metrics');
      received.push({ auth: req.headers.authorization, body: JSON.parse(raw) as Received['body'] });
      respond(req, res, n++);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const handle = {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    received,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
  servers.push(handle);
  return handle;
}

function collector(url: string, opts: Partial<CollectorOptions> = {}) {
  const errors: CollectorError[] = [];
  const c = createCollector({ url, key: 'tk_test', agent: 'bot', flushIntervalMs: 3600_000, onError: (e) => errors.push(e), ...opts });
  return { c, errors };
}
const latencies = (r: Received[]) => r.flatMap((x) => x.body.samples.map((s) => s.latency_ms));

describe('collector', () => {
  it('sends full batches at once and the rest on flush, with the key and agent', async () => {
    const server = await endpoint();
    const { c } = collector(server.url, { batchSize: 3 });
    for (let i = 1; i <= 7; i++) expect(c.record({ latency_ms: i, ts: 1_700_000_000_000 + i })).toBe(true);
    await vi.waitFor(() => expect(server.received).toHaveLength(2));
    await c.flush();
    expect(server.received.map((r) => r.body.samples.length)).toEqual([3, 3, 1]);
    expect(latencies(server.received)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(server.received[0]).toMatchObject({ auth: 'Bearer tk_test', body: { agent: 'bot' } });
    expect(c.stats()).toMatchObject({ buffered: 0, sent: 7, dropped: 0, requests: 3 });
    await c.close();
  });

  it('sends on the flush interval without being asked, and stamps samples with the current time', async () => {
    const server = await endpoint();
    const { c } = collector(server.url, { flushIntervalMs: 20 });
    const before = Date.now();
    c.record({ requests: 1 });
    c.record({ requests: 2, ts: new Date(1_700_000_000_000) });
    await vi.waitFor(() => expect(server.received).toHaveLength(1));
    const [first, second] = server.received[0]!.body.samples;
    expect(first!.ts).toBeGreaterThanOrEqual(before);
    expect(second!.ts).toBe(1_700_000_000_000);
    await c.close();
  });

  it('refuses samples without a numeric metric, and records nothing after close', async () => {
    const server = await endpoint();
    const { c, errors } = collector(server.url);
    expect(c.record({})).toBe(false);
    expect(c.record({ latency_ms: Number.NaN })).toBe(false);
    expect(c.record({ labels: { model: 'x' } })).toBe(false);
    expect(errors.map((e) => e.kind)).toEqual(['invalid', 'invalid', 'invalid']);
    await c.close();
    expect(c.record({ latency_ms: 1 })).toBe(false);
    expect(server.received).toEqual([]);
  });

  it('retries 503 and 429 after the Retry-After the server asked for, then delivers the same batch once', async () => {
    const server = await endpoint((_req, res, n) => {
      if (n === 0) return void res.writeHead(503, { 'retry-after': '0' }).end();
      if (n === 1) return void res.writeHead(429, { 'retry-after': new Date(Date.now() - 1000).toUTCString() }).end();
      accept(_req, res, n);
    });
    const { c, errors } = collector(server.url);
    c.record({ latency_ms: 1 });
    c.record({ latency_ms: 2 });
    await c.flush();
    expect(errors.map((e) => [e.kind, e.details.status, e.details.retryInMs])).toEqual([['retrying', 503, 0]]);
    await vi.waitFor(() => expect(c.stats().sent).toBe(2));
    expect(errors.map((e) => [e.kind, e.details.status, e.details.retryInMs])).toEqual([['retrying', 503, 0], ['retrying', 429, 0]]);
    expect(server.received.map((r) => latencies([r]))).toEqual([[1, 2], [1, 2], [1, 2]]);
    expect(c.stats()).toMatchObject({ sent: 2, dropped: 0, requests: 3 });
    await c.close();
  });

  it('a Retry-After longer than close() allows: the samples are dropped and counted, close() does not wait it out', async () => {
    const server = await endpoint((_req, res) => void res.writeHead(503, { 'retry-after': '120' }).end());
    const { c, errors } = collector(server.url, { maxRetryDelayMs: 600_000 });
    c.record({ latency_ms: 1 });
    await c.flush();
    expect(errors[0]!.details.retryInMs).toBe(120_000);
    await c.close({ timeoutMs: 200 });
    expect(c.stats()).toMatchObject({ sent: 0, dropped: 1, buffered: 0 });
    expect(errors.map((e) => e.kind)).toEqual(['retrying', 'dropped']);
  });

  it('retries network errors with backoff', async () => {
    const server = await endpoint((req, res, n) => (n < 2 ? req.socket.destroy() : accept(req, res, n)));
    const { c, errors } = collector(server.url);
    c.record({ latency_ms: 5 });
    await c.flush();
    await vi.waitFor(() => expect(c.stats().sent).toBe(1), { timeout: 10_000 });
    expect(errors.map((e) => e.kind)).toEqual(['retrying', 'retrying']);
    expect(errors.every((e) => e.details.status === undefined)).toBe(true);
    await c.close();
  });

  it('drops a batch the server refuses with 400 (no retry) and goes on with the next', async () => {
    const server = await endpoint((req, res, n) => (n === 0 ? void res.writeHead(400).end('{"problems":[]}') : accept(req, res, n)));
    const { c, errors } = collector(server.url, { batchSize: 2 });
    c.record({ latency_ms: 1 });
    c.record({ latency_ms: 2 });
    c.record({ latency_ms: 3 });
    await c.close();
    expect(server.received.map((r) => latencies([r]))).toEqual([[1, 2], [3]]);
    expect(errors.map((e) => [e.kind, e.details.status, e.details.samples])).toEqual([['rejected', 400, 2]]);
    expect(c.stats()).toMatchObject({ sent: 1, dropped: 2, requests: 2 });
  });

  it('keeps at most maxBufferSamples, dropping the oldest, and reports the overflow once', async () => {
    const server = await endpoint();
    const errors: CollectorError[] = [];
    let offline = true;
    const online = createCollector({
      url: server.url, key: 'k', agent: 'bot', batchSize: 5, maxBufferSamples: 5, flushIntervalMs: 3600_000,
      fetch: (input, init) => (offline ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init)),
      onError: (e) => errors.push(e),
    });
    for (let i = 1; i <= 12; i++) online.record({ latency_ms: i });
    await online.flush();
    expect(online.stats()).toMatchObject({ buffered: 5, dropped: 7, sent: 0 });
    expect(errors.filter((e) => e.kind === 'dropped')).toHaveLength(1);
    offline = false;
    await online.close();
    expect(latencies(server.received)).toEqual([8, 9, 10, 11, 12]);
    expect(online.stats()).toMatchObject({ buffered: 0, dropped: 7, sent: 5 });
  });

  it('close() sends what is left', async () => {
    const server = await endpoint();
    const { c } = collector(server.url);
    c.record({ latency_ms: 1, labels: { model: 'gpt-4o-mini' } });
    c.record({ tokens_in: 10, tokens_out: 3, cost_usd: 0.001 });
    await c.close();
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.body.samples).toMatchObject([{ latency_ms: 1, labels: { model: 'gpt-4o-mini' } }, { tokens_in: 10, tokens_out: 3 }]);
  });
});

describe('retry timing', () => {
  it('full jitter stays within [0, min(cap, base·2^n)]', () => {
    expect(backoffMs(0, 500, 30_000, () => 0.999)).toBe(500);
    expect(backoffMs(3, 500, 30_000, () => 0.5)).toBe(2000);
    expect(backoffMs(20, 500, 30_000, () => 1)).toBe(30_000);
    expect(backoffMs(5, 500, 30_000, () => 0)).toBe(0);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Mon, 23 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});
