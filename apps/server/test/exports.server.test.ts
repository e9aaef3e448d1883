// export.* and the download and raw-export routes over a real server and worker: who may
// download (admin or signed link, everyone else 404), isolation, live events, expiry, 413.
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExportLinks, ensureUpcomingMetricPartitions, exportDir, sweepExports } from '@tandem/core';
import { availableModes, parseCsv } from '@tandem/core/testing';
import type { ExportView } from '@tandem/schema';
import { codeOf, inviteMember, sqlRows, startTestApp, watchSubscription, type TestApp } from './harness.ts';


const modes = await availableModes();

describe.each(modes)('exports over HTTP (%s)', (mode) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<TestApp['signUp']>>;
  let member: Awaited<ReturnType<TestApp['signUp']>>;
  let viewer: Awaited<ReturnType<TestApp['signUp']>>;
  let otherAdmin: Awaited<ReturnType<TestApp['signUp']>>;
  let ws: string;
  let agentId: string;

  beforeAll(async () => {
    app = await startTestApp(mode);
    admin = await app.signUp('Admin');
    member = await app.signUp('Member');
    viewer = await app.signUp('Viewer');
    otherAdmin = await app.signUp('Other');
    ws = admin.workspaceId;
    await inviteMember(app, admin.token, ws, member, 'member');
    await inviteMember(app, admin.token, ws, viewer, 'viewer');
    [{ id: agentId }] = (await sqlRows<{ id: string }>(app, `insert into agents (id, workspace_id, name) values (gen_random_uuid(), ?, 'exporter') returning id`, [ws])) as [{ id: string }];
    await ensureUpcomingMetricPartitions(app.rt.orm.em.fork());
    await sqlRows(app, `insert into metric_samples (workspace_id, agent_id, ts, latency_ms) select ?, ?, now() - g * interval '1 second', g from generate_series(1, 30) g`, [ws, agentId]);
  });
  afterAll(() => app?.close());

  async function completed(token: string, workspaceId: string, input: { kind?: 'audit' | 'metrics'; format?: 'csv' | 'json' | 'ndjson' } = {}): Promise<ExportView> {
    const { exportId } = await app.client(token).export.create.mutate({ workspaceId, kind: input.kind ?? 'metrics', format: input.format ?? 'csv' });
    let view: ExportView | undefined;
    await vi.waitFor(async () => {
      view = await app.client(token).export.get.query({ workspaceId, exportId });
      expect(view.status).toBe('completed');
    }, { timeout: 30_000, interval: 100 });
    return view!;
  }

  const download = (path: string, token?: string) => fetch(`${app.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('the admin downloads with headers; member, viewer, another admin and strangers get 404', async () => {
    const view = await completed(admin.token, ws);
    const path = `/api/v1/exports/${view.id}/download`;
    const res = await download(path, admin.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="tandem-metrics-.+\.csv"/);
    const body = await res.text();
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(body));
    expect(parseCsv(body)).toHaveLength(31);
    for (const who of [member, viewer, otherAdmin]) expect((await download(path, who.token)).status, who.email).toBe(404);
    expect((await download(path)).status).toBe(404);
    expect((await download(path, 'not.a.token')).status).toBe(404);
    expect((await download(`/api/v1/exports/not-an-id/download`, admin.token)).status).toBe(404);
  });

  it('a signed link works without a token until it expires; a tampered or expired one is 404', async () => {
    const view = await completed(admin.token, ws, { format: 'ndjson' });
    expect(view.downloadUrl).toMatch(/expires=\d+&sig=/);
    const ok = await download(view.downloadUrl!);
    expect(ok.status).toBe(200);
    expect((await ok.text()).trim().split('\n')).toHaveLength(30);
    const links = await ExportLinks.load(app.rt.config);
    expect((await download(links.url(view.id, 3600_000, Date.now() - 7200_000))).status).toBe(404);
    const tampered = view.downloadUrl!.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    expect((await download(tampered)).status).toBe(404);
    // A later expiry with the old signature: refused.
    expect((await download(view.downloadUrl!.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 3600}`))).status).toBe(404);
  });

  it("an admin of another workspace cannot see, cancel or retry the export, nor download it", async () => {
    const view = await completed(admin.token, ws, { kind: 'audit' });
    const other = app.client(otherAdmin.token).export;
    expect(await codeOf(other.get.query({ workspaceId: ws, exportId: view.id }))).toBe('NOT_FOUND');
    expect(await codeOf(other.get.query({ workspaceId: otherAdmin.workspaceId, exportId: view.id }))).toBe('NOT_FOUND');
    expect(await codeOf(other.cancel.mutate({ workspaceId: otherAdmin.workspaceId, exportId: view.id }))).toBe('NOT_FOUND');
    expect(await codeOf(other.retry.mutate({ workspaceId: otherAdmin.workspaceId, exportId: view.id }))).toBe('NOT_FOUND');
    expect((await other.list.query({ workspaceId: otherAdmin.workspaceId })).exports.map((e) => e.id)).not.toContain(view.id);
    expect(await codeOf(app.client(member.token).export.list.query({ workspaceId: ws }))).toBe('FORBIDDEN');
  });

  it('export.events pushes progress and completion with a download link', async () => {
    const socket = app.wsClient(admin.token);
    try {
      const probe = watchSubscription<ExportView>((o) => socket.client.export.events.subscribe({ workspaceId: ws }, o));
      await vi.waitFor(() => expect(probe.started).toBe(true), { timeout: 10_000 });
      const { exportId } = await app.client(admin.token).export.create.mutate({ workspaceId: ws, kind: 'metrics', format: 'json' });
      await vi.waitFor(() => expect(probe.data.some((e) => e.id === exportId && e.status === 'completed')).toBe(true), { timeout: 30_000, interval: 50 });
      const done = probe.data.find((e) => e.id === exportId && e.status === 'completed')!;
      expect(done).toMatchObject({ rows: 30, percent: 100 });
      expect(done.downloadUrl).toContain(`/api/v1/exports/${exportId}/download`);
      expect(probe.data.filter((e) => e.id === exportId).map((e) => e.status)).toContain('running');
      probe.unsubscribe();
    } finally {
      await socket.close();
    }
  });

  it('files expire after EXPORT_RETENTION_DAYS: removed by the sweep, the row stays as expired, the link is 404', async () => {
    const view = await completed(admin.token, ws, { kind: 'audit' });
    const result = await sweepExports(app.rt, new Date(Date.now() + (app.rt.config.EXPORT_RETENTION_DAYS + 1) * 86_400_000));
    expect(result.expired).toBeGreaterThanOrEqual(1);
    const after = await app.client(admin.token).export.get.query({ workspaceId: ws, exportId: view.id });
    expect(after).toMatchObject({ status: 'expired', downloadUrl: null, rows: view.rows });
    expect((await readdir(exportDir(app.rt.dataDir))).filter((n) => n.includes(view.id))).toEqual([]);
    expect((await download(view.downloadUrl!)).status).toBe(404);
  });

  it('GET /api/v1/export streams raw samples of up to 7 days to members; 413 beyond; 404 for another workspace', async () => {
    const now = Date.now();
    const url = (q: string) => `/api/v1/export?workspaceId=${ws}&${q}`;
    const csv = await download(url(`agent=exporter&from=${now - 3600_000}&to=${now + 60_000}&format=csv`), viewer.token);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(await csv.text());
    expect(rows[0]!.slice(0, 3)).toEqual(['ts', 'agent_id', 'agent']);
    expect(rows).toHaveLength(31);
    const nd = await download(url(`from=${now - 3600_000}&format=ndjson`), member.token);
    expect((await nd.text()).trim().split('\n').map((l) => JSON.parse(l).agent)).toEqual(Array(30).fill('exporter'));
    const big = await download(url(`from=${now - 8 * 86_400_000}&to=${now}`), member.token);
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toContain('export.create');
    expect((await download(url('format=xml'), member.token)).status).toBe(400);
    expect((await download(url('format=csv'))).status).toBe(401);
    expect((await download(url('format=csv'), otherAdmin.token)).status).toBe(404);
  });
});
