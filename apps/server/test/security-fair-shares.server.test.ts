// Issue 11 item 5: fair shares between tenants at ingestion. One key's burst is refused before
// other tenants are; rates hold per key and per workspace; rules, agents and keys are bounded.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import { errorOf, sqlRows, startTestApp, type TestApp } from './harness.ts';
import { postMetrics, sampleAt, stallSampleWrites, type PostResult } from './ingest-helpers.ts';

const modes = await availableModes();
const QUEUE_BOUND = 3000;

/** A tenant: its own account, workspace and ingest key. */
async function tenant(app: TestApp, name: string) {
  const user = await app.signUp(name);
  const { key } = await app.client(user.token).ingestKey.create.mutate({ workspaceId: user.workspaceId, label: name });
  return { ...user, key };
}

const batch = (agent: string, n: number) => ({ agent, samples: Array.from({ length: n }, (_, i) => sampleAt(i % 60, { requests: 1 })) });

// The shares are kept by each server in memory, the same in both modes; holding writes back while
// requests queue needs a table lock (embedded PGlite runs in this process: a sleeping statement
// stops its event loop too). QueueShares' arithmetic: packages/core/test/queue-shares.test.ts.
describe.runIf(modes.includes('services'))('security: fair share of the ingest queue (services)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('services', { INGEST_MAX_QUEUED_ROWS: String(QUEUE_BOUND) }, { workers: false });
  });
  afterAll(() => app?.close());

  // Before: the queue was one pool, so one key's burst of 3 × 1,000 rows filled the 3,000-row
  // bound and every other tenant got 429 until it drained.
  it('security: fair share of the ingest queue — one key bursting is refused while two other tenants still get in', async () => {
    const [noisy, quiet, third] = [await tenant(app, 'Noisy'), await tenant(app, 'Quiet'), await tenant(app, 'Third')];
    for (const t of [noisy, quiet, third]) expect((await postMetrics(app.url, t.key, batch('bot', 1))).status).toBe(202); // keys cached, agents made

    const release = await stallSampleWrites(app);
    const burst: PostResult[] = [];
    const bursting = Array.from({ length: 4 }, () => postMetrics(app.url, noisy.key, batch('bot', 1000)).then((r) => (burst.push(r), r)));
    await vi.waitFor(() => expect(burst.filter((r) => r.status === 429)).toHaveLength(3), { timeout: 12_000 });
    const others = [quiet, third].map((t) => postMetrics(app.url, t.key, batch('bot', 1000)));
    const backlog = async () => Number(/^tandem_ingest_backlog_rows (\d+)/m.exec(await (await fetch(`${app.url}/metrics`)).text())?.[1]);
    // The noisy key holds 1,000; the other two tenants' requests are queued beside it, not refused.
    await vi.waitFor(async () => expect(await backlog()).toBe(3000), { timeout: 12_000 });
    await release();

    expect((await Promise.all(bursting)).map((r) => r.status).sort()).toEqual([202, 429, 429, 429]);
    for (const refused of burst.filter((r) => r.status === 429)) {
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.body.error).toMatch(/share of the ingestion queue/);
    }
    expect((await Promise.all(others)).map((r) => r.status)).toEqual([202, 202]);
    const stored = await sqlRows<{ workspace_id: string; n: number }>(app,
      'select workspace_id, count(*)::int as n from metric_samples where workspace_id in (?, ?, ?) group by workspace_id', [noisy.workspaceId, quiet.workspaceId, third.workspaceId]);
    expect(Object.fromEntries(stored.map((r) => [r.workspace_id, r.n]))).toEqual({ [noisy.workspaceId]: 1001, [quiet.workspaceId]: 1001, [third.workspaceId]: 1001 });
  });
});

describe.each(modes)('security: per-key ingest rate (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode, { INGEST_KEY_SAMPLES_PER_SECOND: '100', INGEST_WORKSPACE_SAMPLES_PER_SECOND: '150' }, { workers: false });
  });
  afterAll(() => app?.close());

  // Before: a key could send as fast as the server took it; only the shared queue bound stopped it.
  it('security: per-key ingest rate — a flooding key gets 429 with Retry-After; another tenant is not slowed', async () => {
    const [flood, other] = [await tenant(app, 'Flood'), await tenant(app, 'Other')];
    const results = await Promise.all(Array.from({ length: 5 }, () => postMetrics(app.url, flood.key, batch('bot', 100))));
    const refused = results.filter((r) => r.status === 429);
    // 100 samples a second: at most one of five requests sent at once gets in (two if a second ends between them).
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(results.filter((r) => r.status !== 429).every((r) => r.status === 202)).toBe(true);
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused[0]!.body.error).toMatch(/INGEST_KEY_SAMPLES_PER_SECOND/);
    // Refused requests store nothing.
    const [row] = await sqlRows<{ n: number }>(app, 'select count(*)::int as n from metric_samples where workspace_id = ?', [flood.workspaceId]);
    expect(row!.n).toBe(100 * (5 - refused.length));
    expect((await postMetrics(app.url, other.key, batch('bot', 100))).status).toBe(202);
  });

  it('security: per-workspace ingest rate — more keys in one workspace do not add up past its rate', async () => {
    const owner = await tenant(app, 'Many keys');
    const { key: second } = await app.client(owner.token).ingestKey.create.mutate({ workspaceId: owner.workspaceId, label: 'second' });
    // Each key is within its own 100 a second; together they pass the workspace's 150.
    const results = await Promise.all([owner.key, second].map((k) => postMetrics(app.url, k, batch('bot', 100))));
    expect(results.map((r) => r.status).sort()).toEqual([202, 429]);
    expect(results.find((r) => r.status === 429)!.body.error).toMatch(/INGEST_WORKSPACE_SAMPLES_PER_SECOND/);
  });
});

describe.each(modes)('security: workspace limits on rules, agents and keys (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode, { WORKSPACE_MAX_ALERT_RULES: '2', WORKSPACE_MAX_AGENTS: '3', WORKSPACE_MAX_INGEST_KEYS: '2' }, { workers: false });
  });
  afterAll(() => app?.close());

  const rule = (workspaceId: string) => ({ workspaceId, metric: 'latency_ms' as const, agg: 'avg' as const, op: '>' as const, threshold: 1, windowMs: 60_000 });

  // Before: rules, agents and keys were unlimited, and every rule is evaluated one after another.
  it('security: workspace limits on rules — concurrent creates stop at the limit with a clear CONFLICT; deleting one makes room', async () => {
    const admin = await app.signUp('Rules');
    const api = app.client(admin.token);
    const made = await Promise.allSettled(Array.from({ length: 5 }, () => api.alert.createRule.mutate(rule(admin.workspaceId))));
    expect(made.filter((m) => m.status === 'fulfilled')).toHaveLength(2);
    const err = await errorOf(api.alert.createRule.mutate(rule(admin.workspaceId)));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/2 alert rules, the most it may have \(WORKSPACE_MAX_ALERT_RULES\)/);
    const [first] = await api.alert.listRules.query({ workspaceId: admin.workspaceId });
    await api.alert.deleteRule.mutate({ workspaceId: admin.workspaceId, ruleId: first!.id });
    await expect(api.alert.createRule.mutate(rule(admin.workspaceId))).resolves.toMatchObject({ metric: 'latency_ms' });
    // Another workspace has its own count.
    const other = await app.signUp('Other rules');
    await expect(app.client(other.token).alert.createRule.mutate(rule(other.workspaceId))).resolves.toBeTruthy();
  });

  it('security: workspace limits on keys — a third ingest key is refused until one is revoked', async () => {
    const admin = await app.signUp('Keys');
    const api = app.client(admin.token);
    const first = await api.ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'one' });
    await api.ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'two' });
    const err = await errorOf(api.ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'three' }));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/WORKSPACE_MAX_INGEST_KEYS/);
    await api.ingestKey.revoke.mutate({ workspaceId: admin.workspaceId, keyId: first.id });
    await expect(api.ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'three' })).resolves.toBeTruthy();
  });

  it('security: workspace limits on agents — new agent names past the limit are refused with 409, nothing of the request stored; concurrent requests cannot overshoot', async () => {
    const t = await tenant(app, 'Agents');
    expect((await postMetrics(app.url, t.key, { agent: 'a1', samples: [sampleAt(1)] })).status).toBe(202);
    // Five requests at once, each naming a new agent: exactly two more fit.
    const racing = await Promise.all(['r1', 'r2', 'r3', 'r4', 'r5'].map((a) => postMetrics(app.url, t.key, { agent: a, samples: [sampleAt(1)] })));
    expect(racing.map((r) => r.status).sort()).toEqual([202, 202, 409, 409, 409]);
    const refused = racing.find((r) => r.status === 409)!;
    expect(refused.body.error).toMatch(/limit of 3 agents \(WORKSPACE_MAX_AGENTS\); new agent "r\d" refused/);
    expect(refused.body.problems).toEqual([{ index: -1, field: 'agent', message: refused.body.error }]);
    // A request mixing known agents and one new one is refused whole.
    const mixed = await postMetrics(app.url, t.key, `${JSON.stringify({ agent: 'a1', ...sampleAt(1) })}\n${JSON.stringify({ agent: 'late', ...sampleAt(1) })}\n`,
      { contentType: 'application/x-ndjson' });
    expect(mixed.status).toBe(409);
    const agents = await sqlRows<{ name: string }>(app, 'select name from agents where workspace_id = ? order by name', [t.workspaceId]);
    expect(agents).toHaveLength(3);
    expect(agents.map((a) => a.name)).not.toContain('late');
    const [stored] = await sqlRows<{ n: number }>(app, 'select count(*)::int as n from metric_samples where workspace_id = ?', [t.workspaceId]);
    expect(stored!.n).toBe(3);
    // Agents the workspace has keep reporting.
    expect((await postMetrics(app.url, t.key, { agent: 'a1', samples: [sampleAt(1)] })).status).toBe(202);
    // Another workspace registers its own.
    const other = await tenant(app, 'Other agents');
    expect((await postMetrics(app.url, other.key, { agent: 'late', samples: [sampleAt(1)] })).status).toBe(202);
  });
});
