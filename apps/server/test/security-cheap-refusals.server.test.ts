// Issue 11 item 10: cheap refusals stay cheap. Agent refs are counted before any is resolved, and
// wrong ingest keys are limited per client address before the lookup.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import { startTestApp, type TestApp } from './harness.ts';
import { postMetrics } from './ingest-helpers.ts';

const modes = await availableModes();
const WRONG_KEYS_PER_MINUTE = 10;
const sample = () => ({ agent: 'cheap-bot', samples: [{ ts: Date.now(), latency_ms: 5 }] });
const randomKey = () => `tdm_${randomBytes(32).toString('base64url')}`;

describe.each(modes)('security: cheap refusals (%s)', (mode) => {
  let app: TestApp;
  let owner: Awaited<ReturnType<TestApp['signUp']>>;
  let key: string;
  beforeAll(async () => {
    app = await startTestApp(mode, { TRUST_PROXY: '1' }, { workers: false, limits: { wrongIngestKeysPerAddressPerMinute: WRONG_KEYS_PER_MINUTE, registrationsPerAddressPerHour: 100 } });
    owner = await app.signUp('Owner');
    key = (await app.client(owner.token).ingestKey.create.mutate({ workspaceId: owner.workspaceId, label: 'agents' })).key;
    expect((await postMetrics(app.url, key, sample())).status).toBe(202);
  });
  afterAll(() => app?.close());

  const read = (query: string) =>
    fetch(`${app.url}/api/v1/metrics?workspaceId=${owner.workspaceId}&metric=latency_ms:p95&${query}`, { headers: { authorization: `Bearer ${owner.token}` } });

  // GET /api/v1/metrics used to resolve every `agent=` ref with a query before looking at how many
  // there were (thousands fit in one URL).
  it('security: agent refs — thousands of agent= refs are refused with 400 before one is resolved', async () => {
    const started = Date.now();
    // As many as fit in a URL (Node takes 16 KiB of request line and headers).
    const flood = await read(`agent=${Array.from({ length: 3000 }, (_, i) => `g${i.toString(36)}`).join(',')}`);
    expect(flood.status).toBe(400);
    expect(await flood.json()).toMatchObject({ problems: [{ field: 'agent', message: 'name at most 50 agents (got 3000)' }] });
    expect(Date.now() - started).toBeLessThan(2000);
    // 51 unknown names: refused for their number (400), not looked up one by one (404 at the first).
    const over = await read(Array.from({ length: 51 }, (_, i) => `agent=ghost-${i}`).join('&'));
    expect(over.status).toBe(400);
    // Up to the limit, refs are resolved as before.
    const ok = await read(Array.from({ length: 50 }, () => 'agent=cheap-bot').join('&'));
    expect(ok.status).toBe(200);
    expect((await read('agent=ghost-1')).status).toBe(404);
  });

  // Random ingest keys used to cost a lookup and a cache entry each, pushing valid keys out of the cache.
  it('security: ingest 401s — random keys from one address are refused before the lookup past the limit; valid keys elsewhere keep working', async () => {
    const attacker = { 'x-forwarded-for': '203.0.113.90' };
    for (let i = 0; i < WRONG_KEYS_PER_MINUTE; i++)
      expect((await postMetrics(app.url, randomKey(), sample(), { headers: attacker })).status).toBe(401);
    const refused = await postMetrics(app.url, randomKey(), sample(), { headers: attacker });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Refused before the lookup: even a real key from that address waits.
    expect((await postMetrics(app.url, key, sample(), { headers: attacker })).status).toBe(429);
    // The agents, from their own address, are not affected.
    expect((await postMetrics(app.url, key, sample(), { headers: { 'x-forwarded-for': '198.51.100.90' } })).status).toBe(202);
    expect((await postMetrics(app.url, randomKey(), sample(), { headers: { 'x-forwarded-for': '198.51.100.91' } })).status).toBe(401);
  });
});
