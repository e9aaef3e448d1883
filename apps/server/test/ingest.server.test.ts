// Ingest keys and POST /api/v1/metrics (docs/api.md "Metrics samples"; docs/reliability.md §13, §17):
// status codes, formats, all-or-nothing batches, gzip bombs, tenant scoping, live points, revocation.
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRuntime } from '@tandem/core';
import { availableModes, TEST_REDIS_URL } from '@tandem/core/testing';
import { MAX_SAMPLE_AGE_MS, MAX_SAMPLES_PER_REQUEST, parseConfig } from '@tandem/schema';
import { createHttpServer } from '../src/http/server.ts';
import { createServerServices } from '../src/services.ts';
import { codeOf, sqlRows, startTestApp, type TestApp } from './harness.ts';
import { ndjson, postMetrics, sampleAt, sampleCount, stallSampleWrites } from './ingest-helpers.ts';

const modes = await availableModes();
const QUEUE_BOUND = 3000;

describe.each(modes)('ingestion (%s)', (mode) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<TestApp['signUp']>>;
  let key: string;
  let keyId: string;
  beforeAll(async () => {
    app = await startTestApp(mode, { INGEST_MAX_QUEUED_ROWS: String(QUEUE_BOUND) }, { workers: false });
    admin = await app.signUp('Admin');
    ({ id: keyId, key } = await app.client(admin.token).ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'checkout agents' }));
  });
  afterAll(() => app?.close());

  const post = (body: unknown, opts?: Parameters<typeof postMetrics>[3], k: string | null = key) => postMetrics(app.url, k, body, opts);

  describe('ingest keys', () => {
    it('shows the key once, stores only its hash, and lists keys without it', async () => {
      expect(key).toMatch(/^tdm_[A-Za-z0-9_-]{43}$/);
      const listed = await app.client(admin.token).ingestKey.list.query({ workspaceId: admin.workspaceId });
      expect(listed).toEqual([expect.objectContaining({ id: keyId, label: 'checkout agents', prefix: key.slice(0, 12), revokedAt: null })]);
      expect(JSON.stringify(listed)).not.toContain(key.slice(12));
      const [row] = await sqlRows<{ key_hash: string; prefix: string }>(app, 'select key_hash, prefix from ingest_keys where id = ?', [keyId]);
      expect(row!.key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row!.key_hash).not.toContain(key.slice(4, 20));
      expect(row!.prefix).toBe(key.slice(0, 12));
    });

    it('records last use at most once a minute', async () => {
      expect((await post({ agent: 'touch-bot', samples: [sampleAt(1)] })).status).toBe(202);
      let first = '';
      await vi.waitFor(async () => {
        const [k] = await app.client(admin.token).ingestKey.list.query({ workspaceId: admin.workspaceId });
        expect(k!.lastUsedAt).not.toBeNull();
        first = k!.lastUsedAt!;
      });
      expect((await post({ agent: 'touch-bot', samples: [sampleAt(1)] })).status).toBe(202);
      const [again] = await app.client(admin.token).ingestKey.list.query({ workspaceId: admin.workspaceId });
      expect(again!.lastUsedAt).toBe(first);
    });

    it('revokes idempotently with one audit entry each for create and revoke; the key then gets 401', async () => {
      const made = await app.client(admin.token).ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'short-lived' });
      expect((await post({ agent: 'a', samples: [sampleAt(1)] }, {}, made.key)).status).toBe(202);
      const revoked = await app.client(admin.token).ingestKey.revoke.mutate({ workspaceId: admin.workspaceId, keyId: made.id });
      expect(revoked.revokedAt).not.toBeNull();
      const again = await app.client(admin.token).ingestKey.revoke.mutate({ workspaceId: admin.workspaceId, keyId: made.id });
      expect(again.revokedAt).toBe(revoked.revokedAt);
      // The bus (in-process here) reaches this instance's cache well within its 10 s TTL.
      await vi.waitFor(async () => expect((await post({ agent: 'a', samples: [sampleAt(1)] }, {}, made.key)).status).toBe(401), { timeout: 2000, interval: 20 });
      const audit = await sqlRows<{ action: string }>(app, 'select action from audit_log where target_id = ? order by id', [made.id]);
      expect(audit.map((a) => a.action)).toEqual(['ingestKey.create', 'ingestKey.revoke']);
    });

    it("another workspace's key id is NOT_FOUND, even named inside the caller's own workspace", async () => {
      const other = await app.signUp('Other');
      const theirs = await app.client(other.token).ingestKey.create.mutate({ workspaceId: other.workspaceId, label: 'theirs' });
      expect(await codeOf(app.client(admin.token).ingestKey.revoke.mutate({ workspaceId: admin.workspaceId, keyId: theirs.id }))).toBe('NOT_FOUND');
      expect(await codeOf(app.client(admin.token).ingestKey.revoke.mutate({ workspaceId: other.workspaceId, keyId: theirs.id }))).toBe('NOT_FOUND');
      expect((await post({ agent: 'x', samples: [sampleAt(1)] }, {}, theirs.key)).status).toBe(202);
    });
  });

  describe('POST /api/v1/metrics', () => {
    it('202 after commit: values stored as sent, the agent registered, ISO and epoch times', async () => {
      const ts = Date.now() - 5000;
      const res = await post({
        agent: 'checkout-bot',
        samples: [
          { ts, latency_ms: 812, tokens_in: 1200, tokens_out: 310, cost_usd: 0.0042, cpu_pct: 37.5, gpu_pct: 12, memory_mb: 812, requests: 1, errors: 0, labels: { model: 'gpt-4o-mini', note: 'say "hi" \\ {a,b} NULL' } },
          { ts: new Date(ts + 1000).toISOString(), errors: 2 },
        ],
      });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ accepted: 2 });
      const rows = await sqlRows<Record<string, unknown>>(app,
        `select a.name, extract(epoch from s.ts) * 1000 as ts, s.latency_ms, s.tokens_in, s.tokens_out, s.cost_usd, s.cpu_pct, s.gpu_pct,
                s.memory_mb, s.requests, s.errors, s.labels
           from metric_samples s join agents a on a.id = s.agent_id
          where s.workspace_id = ? and a.name = 'checkout-bot' order by s.ts`, [admin.workspaceId]);
      expect(rows.map((r) => ({ ...r, ts: Number(r.ts) }))).toEqual([
        { name: 'checkout-bot', ts, latency_ms: 812, tokens_in: 1200, tokens_out: 310, cost_usd: 0.0042, cpu_pct: 37.5, gpu_pct: 12, memory_mb: 812, requests: 1, errors: 0, labels: { model: 'gpt-4o-mini', note: 'say "hi" \\ {a,b} NULL' } },
        { name: 'checkout-bot', ts: ts + 1000, latency_ms: null, tokens_in: null, tokens_out: null, cost_usd: null, cpu_pct: null, gpu_pct: null, memory_mb: null, requests: null, errors: 2, labels: null },
      ]);
      const [agent] = await sqlRows<{ workspace_id: string; last_seen_at: Date | null }>(app, `select workspace_id, last_seen_at from agents where name = 'checkout-bot'`);
      expect(agent!.workspace_id).toBe(admin.workspaceId);
      await vi.waitFor(async () => {
        const [seen] = await sqlRows<{ last_seen_at: Date | null }>(app, `select last_seen_at from agents where name = 'checkout-bot'`);
        expect(seen!.last_seen_at).not.toBeNull();
      });
    });

    it('a bulk request (COPY on PostgreSQL, one insert on PGlite) stores every value as sent', async () => {
      const base = Date.now() - 60_000;
      const samples = Array.from({ length: 150 }, (_, i) => ({
        ts: base + i * 7,
        latency_ms: i % 5 === 0 ? undefined : 0.1 + 0.2 + i * 1.37,
        tokens_in: i === 3 ? 100_000_000 : i,
        tokens_out: i % 3 === 0 ? undefined : 2 * i,
        cost_usd: i * 0.0042,
        cpu_pct: (i % 101) + 0.5 * (i % 2),
        gpu_pct: i % 7 === 0 ? undefined : 100,
        memory_mb: 812.25 + i,
        requests: i === 4 ? 1_000_000_000 : 1,
        errors: 0,
        // Quotes, a backslash and non-ASCII: what COPY must escape (label values are one line: no tabs).
        ...(i % 4 === 0 ? { labels: { model: 'gpt-4o-mini', note: `quote "q" \\ ünï ${i}` } } : {}),
      }));
      expect((await post({ agent: 'bulk-bot', samples })).status).toBe(202);
      const rows = await sqlRows<Record<string, unknown>>(app,
        `select (extract(epoch from s.ts) * 1000)::float8 as ts, latency_ms, tokens_in, tokens_out, cost_usd, cpu_pct, gpu_pct, memory_mb, requests, errors, labels
           from metric_samples s join agents a on a.id = s.agent_id where a.name = 'bulk-bot' and a.workspace_id = ? order by s.ts`, [admin.workspaceId]);
      // real columns hold the nearest 32-bit float, as PostgreSQL itself rounds.
      const real = (v: number | undefined) => (v === undefined ? null : Math.fround(v));
      expect(rows.map((r) => ({ ...r, ts: Number(r.ts) }))).toEqual(samples.map((s) => ({
        ts: s.ts, latency_ms: s.latency_ms ?? null, tokens_in: s.tokens_in, tokens_out: s.tokens_out ?? null, cost_usd: s.cost_usd,
        cpu_pct: real(s.cpu_pct), gpu_pct: real(s.gpu_pct), memory_mb: real(s.memory_mb), requests: s.requests, errors: s.errors, labels: s.labels ?? null,
      })));
    });

    it('NDJSON: one {agent, ...sample} per line, several agents, blank lines ignored', async () => {
      const before = await sampleCount(app, admin.workspaceId);
      const body = ndjson([{ agent: 'nd-a', ...sampleAt(3) }, { agent: 'nd-b', ...sampleAt(2, { cpu_pct: 50 }) }, { agent: 'nd-a', ...sampleAt(1, { requests: 3 }) }]) + '\n\r\n';
      const res = await post(body, { contentType: 'application/x-ndjson; charset=utf-8' });
      expect(res).toMatchObject({ status: 202, body: { accepted: 3 } });
      expect(await sampleCount(app, admin.workspaceId)).toBe(before + 3);
      const perAgent = await sqlRows<{ name: string; n: number }>(app,
        `select a.name, count(*)::int as n from metric_samples s join agents a on a.id = s.agent_id
          where a.name like 'nd-%' group by a.name order by a.name`);
      expect(perAgent).toEqual([{ name: 'nd-a', n: 2 }, { name: 'nd-b', n: 1 }]);
    });

    it('gzip bodies are accepted', async () => {
      const res = await post({ agent: 'zip-bot', samples: [sampleAt(1), sampleAt(2)] }, { gzip: true });
      expect(res).toMatchObject({ status: 202, body: { accepted: 2 } });
    });

    it('400 lists every bad sample by index and field, and a mixed batch stores nothing', async () => {
      const before = await sampleCount(app, admin.workspaceId);
      const res = await post({
        agent: 'mixed-bot',
        samples: [
          sampleAt(1),
          { ts: Date.now(), cpu_pct: 140 },
          sampleAt(2),
          { ts: 'yesterday', latency_ms: 5 },
          { ts: Date.now() - MAX_SAMPLE_AGE_MS - 60_000, latency_ms: 5 },
          { ts: Date.now() + 3600_000, latency_ms: 5 },
          { ts: Date.now(), latency_ms: -1, surprise: 1 },
          { ts: Date.now() },
        ],
      });
      expect(res.status).toBe(400);
      const fields = res.body.problems.map((p: { index: number; field: string }) => `${p.index}:${p.field}`);
      expect(fields).toEqual(expect.arrayContaining(['1:cpu_pct', '3:ts', '6:latency_ms', '6:surprise', '7:ts']));
      expect(res.body.problems.every((p: { message: string }) => typeof p.message === 'string' && p.message.length > 0)).toBe(true);
      expect(res.body.problems.map((p: { index: number }) => p.index)).not.toContain(0);
      expect(await sampleCount(app, admin.workspaceId)).toBe(before);
      // Samples outside the accepted time window are problems too (checked once the shapes are valid).
      const late = await post({ agent: 'mixed-bot', samples: [sampleAt(1), { ts: Date.now() - MAX_SAMPLE_AGE_MS - 60_000, latency_ms: 5 }, { ts: Date.now() + 3600_000, latency_ms: 5 }] });
      expect(late.status).toBe(400);
      expect(late.body.problems.map((p: { index: number; field: string }) => `${p.index}:${p.field}`)).toEqual(['1:ts', '2:ts']);
      expect(await sampleCount(app, admin.workspaceId)).toBe(before);
      const [agent] = await sqlRows(app, `select 1 from agents where name = 'mixed-bot'`);
      expect(agent).toBeUndefined();
    });

    it('400 for a bad agent name, no samples, too many samples, malformed JSON and bad NDJSON lines', async () => {
      const before = await sampleCount(app, admin.workspaceId);
      const badAgent = await post({ agent: '-nope', samples: [sampleAt(1)] });
      expect(badAgent.status).toBe(400);
      expect(badAgent.body.problems).toEqual([expect.objectContaining({ index: -1, field: 'agent' })]);
      expect((await post({ agent: 'a', samples: [] })).status).toBe(400);
      const many = await post({ agent: 'a', samples: Array.from({ length: MAX_SAMPLES_PER_REQUEST + 1 }, () => ({ ts: Date.now(), errors: 0 })) });
      expect(many.status).toBe(400);
      expect(many.body.problems).toEqual([expect.objectContaining({ index: -1, field: 'samples' })]);
      const malformed = await post('{"agent": "a", "samples": [');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error).toMatch(/not valid JSON/);
      const lines = [JSON.stringify({ agent: 'nd', ...sampleAt(1) }), '{oops', '[1]', JSON.stringify({ agent: 'nd', ts: Date.now(), gpu_pct: 101 }), JSON.stringify({ ...sampleAt(1) })];
      const bad = await post(lines.join('\n'), { contentType: 'application/x-ndjson' });
      expect(bad.status).toBe(400);
      expect(bad.body.problems.map((p: { index: number; field: string }) => `${p.index}:${p.field}`)).toEqual(['1:line', '2:line', '3:gpu_pct', '4:agent']);
      expect((await post('\n\n', { contentType: 'application/x-ndjson' })).status).toBe(400);
      expect(await sampleCount(app, admin.workspaceId)).toBe(before);
    });

    it('401 without a key, with a wrong key, or with a user token; WWW-Authenticate says Bearer', async () => {
      for (const k of [null, 'tdm_' + 'A'.repeat(43), 'not-a-key', admin.token]) {
        const res = await post({ agent: 'a', samples: [sampleAt(1)] }, {}, k);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
      }
    });

    it('405 for other methods on the route, with Allow', async () => {
      const res = await post({}, { method: 'PUT' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toContain('POST');
    });

    it('413 over 1 MiB, plain or once decompressed (a gzip bomb stops at the limit)', async () => {
      // 256 MiB of zeros, about 256 KiB compressed: inflating it whole would show in memory. Made
      // first: compressing takes seconds, and a keep-alive socket idle that long may be closed under us.
      const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 });
      const before = await sampleCount(app, admin.workspaceId);
      const big = JSON.stringify({ agent: 'big', samples: [{ ...sampleAt(1), labels: { pad: 'x'.repeat(200) } }] }).replace('"pad"', `"pad","filler":"${'y'.repeat(1024 * 1024)}"`);
      const plain = await post(big);
      expect(plain.status).toBe(413);
      const rssBefore = process.memoryUsage().rss;
      const res = await fetch(`${app.url}/api/v1/metrics`, {
        method: 'POST', body: new Uint8Array(bomb),
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
      expect(res.status).toBe(413);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(128 * 1024 * 1024);
      expect(await sampleCount(app, admin.workspaceId)).toBe(before);
    });

    it('415 for other content types and encodings; 400 for a corrupt gzip stream', async () => {
      expect((await post('ts=1', { contentType: 'text/plain' })).status).toBe(415);
      expect((await post('{}', { contentType: 'application/xml' })).status).toBe(415);
      expect((await post({ agent: 'a', samples: [sampleAt(1)] }, { headers: { 'content-encoding': 'br' } })).status).toBe(415);
      expect((await post(Buffer.from('definitely not gzip'), { headers: { 'content-encoding': 'gzip' } })).status).toBe(400);
    });

    it('a key writes only into its own workspace; agent names are per workspace', async () => {
      const other = await app.signUp('Tenant');
      const theirs = await app.client(other.token).ingestKey.create.mutate({ workspaceId: other.workspaceId, label: 'b' });
      const mineBefore = await sampleCount(app, admin.workspaceId);
      expect((await post({ agent: 'shared-name', samples: [sampleAt(1)] }, {}, theirs.key)).status).toBe(202);
      expect((await post({ agent: 'shared-name', samples: [sampleAt(1), sampleAt(2)] })).status).toBe(202);
      expect(await sampleCount(app, other.workspaceId)).toBe(1);
      expect(await sampleCount(app, admin.workspaceId)).toBe(mineBefore + 2);
      const agents = await sqlRows<{ workspace_id: string; id: string }>(app, `select workspace_id, id from agents where name = 'shared-name'`);
      expect(agents.map((a) => a.workspace_id).sort()).toEqual([admin.workspaceId, other.workspaceId].sort());
      const [mixed] = await sqlRows<{ n: number }>(app,
        `select count(*)::int as n from metric_samples s join agents a on a.id = s.agent_id where s.workspace_id <> a.workspace_id`);
      expect(mixed!.n).toBe(0);
    });

    it('publishes the committed points on metrics:<workspaceId>', async () => {
      const got: unknown[] = [];
      const off = await app.rt.bus.subscribe(`metrics:${admin.workspaceId}`, (m) => got.push(m));
      const ts = Date.now() - 1000;
      expect((await post({ agent: 'live-bot', samples: [{ ts, latency_ms: 42, requests: 2, labels: { a: 'b' } }] })).status).toBe(202);
      const [agent] = await sqlRows<{ id: string }>(app, `select id from agents where name = 'live-bot' and workspace_id = ?`, [admin.workspaceId]);
      await vi.waitFor(() => expect(got).toContainEqual({ points: [{ agentId: agent!.id, ts, values: { latency_ms: 42, requests: 2 } }] }));
      off();
    });

    it('concurrent requests are all stored, each exactly once', async () => {
      const before = await sampleCount(app, admin.workspaceId);
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) =>
        post({ agent: `burst-${i % 4}`, samples: Array.from({ length: 25 }, (_, j) => sampleAt(j, { requests: i })) })));
      expect(results.map((r) => r.status)).toEqual(Array(40).fill(202));
      expect(await sampleCount(app, admin.workspaceId)).toBe(before + 1000);
      const perRequest = await sqlRows<{ requests: number; n: number }>(app,
        `select requests, count(*)::int as n from metric_samples s join agents a on a.id = s.agent_id
          where a.name like 'burst-%' group by requests order by requests`);
      expect(perRequest).toEqual(Array.from({ length: 40 }, (_, i) => ({ requests: i, n: 25 })));
    });

    it("a missing day partition is made on the spot, then the samples stored", async () => {
      const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
      await sqlRows(app, `drop table if exists metric_samples_${today}`);
      // Over 100 samples: real PostgreSQL writes them with COPY, PGlite with one insert.
      const res = await post({ agent: 'partition-bot', samples: Array.from({ length: 150 }, () => sampleAt(0)) });
      expect(res.status).toBe(202);
      const [row] = await sqlRows<{ n: number }>(app, `select count(*)::int as n from metric_samples_${today} s join agents a on a.id = s.agent_id where a.name = 'partition-bot'`);
      expect(row!.n).toBe(150);
    });

    // Embedded: stalling writes with pg_sleep stalls PGlite, which runs in this process, so the
    // backlog cannot be read meanwhile; the fair-share tests cover the bound in both modes.
    it.skipIf(mode === 'embedded')('429 with Retry-After past the queue bound while the database is stalled; the accepted request still commits', async () => {
      const before = await sampleCount(app, admin.workspaceId);
      expect((await post({ agent: 'warm', samples: [sampleAt(1)] })).status).toBe(202); // the key is cached now
      const release = await stallSampleWrites(app);
      const body = { agent: 'overload-bot', samples: Array.from({ length: QUEUE_BOUND * 0.6 }, (_, i) => sampleAt(i % 60, { requests: 1 })) };
      const pending = Array.from({ length: 4 }, () => post(body));
      const statuses: number[] = [];
      const settled = pending.map((p) => p.then((r) => {
        statuses.push(r.status);
        if (r.status === 429) expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        return r;
      }));
      await vi.waitFor(() => expect(statuses.filter((s) => s === 429)).toHaveLength(3), { timeout: 10_000 });
      const backlog = async () => Number(/^tandem_ingest_backlog_rows (\d+)/m.exec(await (await fetch(`${app.url}/metrics`)).text())?.[1]);
      expect(await backlog()).toBe(QUEUE_BOUND * 0.6); // the accepted request, waiting for the stalled write
      await release();
      const results = await Promise.all(settled);
      expect(results.map((r) => r.status).sort()).toEqual([202, 429, 429, 429]);
      expect(await sampleCount(app, admin.workspaceId)).toBe(before + 1 + QUEUE_BOUND * 0.6);
      expect(await backlog()).toBe(0);
      expect(await (await fetch(`${app.url}/metrics`)).text()).toMatch(/^tandem_ingest_rejected_total\{status="429"\} [1-9]/m);
    });

    it('/metrics counts ingested samples and refused requests', async () => {
      const text = await (await fetch(`${app.url}/metrics`)).text();
      const samples = Number(/^tandem_ingest_samples_total (\d+)/m.exec(text)?.[1]);
      expect(samples).toBeGreaterThan(1000);
      expect(text).toMatch(/^tandem_ingest_rejected_total\{status="401"\} [1-9]/m);
      expect(text).toMatch(/^tandem_ingest_rejected_total\{status="413"\} [1-9]/m);
    });
  });

  it('revocation reaches every HTTP server on the runtime at once', async () => {
    const second = createHttpServer(createServerServices(app.rt)); // its own key cache
    const url2 = await second.listen(0, '127.0.0.1');
    try {
      const made = await app.client(admin.token).ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'two servers' });
      for (const url of [app.url, url2]) expect((await postMetrics(url, made.key, { agent: 'a', samples: [sampleAt(1)] })).status).toBe(202);
      await app.client(admin.token).ingestKey.revoke.mutate({ workspaceId: admin.workspaceId, keyId: made.id });
      for (const url of [url2, app.url])
        await vi.waitFor(async () => expect((await postMetrics(url, made.key, { agent: 'a', samples: [sampleAt(1)] })).status).toBe(401), { timeout: 2000, interval: 20 });
    } finally {
      await second.close();
    }
  });
});

describe.runIf(modes.includes('services'))('ingest key revocation across server instances (services)', () => {
  it('a key revoked through instance A is refused by instance B at once (the bus, well inside the cache TTL)', async () => {
    const a = await startTestApp('services', {}, { workers: false });
    // Instance B: its own runtime (own key cache), the same database and Redis.
    const rtB = await createRuntime(
      parseConfig({ DATABASE_URL: a.rt.databaseUrl, REDIS_URL: TEST_REDIS_URL, DATA_DIR: a.rt.dataDir, DEMO: '0' }),
      { prefix: a.rt.queues.target.prefix, log: pino({ level: 'silent' }) },
    );
    const serverB = createHttpServer(createServerServices(rtB));
    const urlB = await serverB.listen(0, '127.0.0.1');
    try {
      const admin = await a.signUp('Admin');
      const made = await a.client(admin.token).ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'two instances' });
      for (const url of [a.url, urlB]) expect((await postMetrics(url, made.key, { agent: 'a', samples: [sampleAt(1)] })).status).toBe(202);
      await a.client(admin.token).ingestKey.revoke.mutate({ workspaceId: admin.workspaceId, keyId: made.id });
      for (const url of [urlB, a.url])
        await vi.waitFor(async () => expect((await postMetrics(url, made.key, { agent: 'a', samples: [sampleAt(1)] })).status).toBe(401), { timeout: 2000, interval: 20 });
    } finally {
      await serverB.close();
      await rtB.close();
      await a.close();
    }
  });
});
