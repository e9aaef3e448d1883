// Exports in core: every kind × format against known rows, CSV quoting and formula
// neutralisation, gzip round trip, cancel and retry (packages/core/src/exports).
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableModes, createTestRuntime, parseExport, type TestRuntime } from '@tandem/core/testing';
import {
  ExportEntity, cancelExport, createExport, ensureUpcomingMetricPartitions, exportDir, exportPaths, fileExtension, retryExport, runExport,
  type IExport,
} from '@tandem/core';
import { EXPORT_FORMATS, type ExportFormat, type ExportKind } from '@tandem/schema';

const modes = await availableModes();

const TRICKY = 'Q4, "big" deal\nnext line — café ☕';
const FORMULAS = ['=SUM(A1:A9)', '+1', '-2+3', '@cmd', '\tTab', '\rReturn', '\nLine'];

describe.each(modes)('exports (%s)', (mode) => {
  let rt: TestRuntime;
  let ws: string;
  let other: string;
  const userId = randomUUID();
  const agentId = randomUUID();
  const t0 = Date.UTC(2026, 0, 1);
  const deps = () => ({ em: rt.orm.em.fork(), queues: rt.queues, bus: rt.bus });

  beforeAll(async () => {
    rt = await createTestRuntime(mode);
    const em = rt.orm.em.fork();
    ws = randomUUID();
    other = randomUUID();
    for (const id of [ws, other]) await em.execute('insert into workspaces (id, name, created_at) values (?, ?, now())', [id, `w-${id.slice(0, 4)}`]);
    await em.execute(`insert into users (id, email, name, password_hash, created_at) values (?, 'ana@example.com', 'Ana', 'x', now())`, [userId]);
    const conv = randomUUID();
    await em.execute(`insert into conversations (id, workspace_id, created_by, title, created_at, last_activity_at) values (?, ?, ?, ?, ?, ?)`,
      [conv, ws, userId, TRICKY, new Date(t0), new Date(t0 + 5000)]);
    const contents = [TRICKY, ...FORMULAS];
    for (const [i, content] of contents.entries())
      await em.execute(`insert into messages (id, conversation_id, seq, role, author_id, content, status, tokens, cost_usd, created_at) values (?, ?, ?, 'user', ?, ?, 'complete', ?, ?, ?)`,
        [randomUUID(), conv, i + 1, userId, content, 10 + i, 0.5, new Date(t0 + i * 1000)]);
    // Another workspace's rows must never appear.
    const foreign = randomUUID();
    await em.execute(`insert into conversations (id, workspace_id, created_by, title, created_at, last_activity_at) values (?, ?, ?, 'foreign', now(), now())`, [foreign, other, userId]);
    await em.execute(`insert into messages (id, conversation_id, seq, role, content, status, created_at) values (?, ?, 1, 'user', 'foreign', 'complete', now())`, [randomUUID(), foreign]);
    await em.execute(`insert into audit_log (workspace_id, actor_id, action, target_id, data, created_at) values (?, ?, 'test.action', 'x', ?, ?)`,
      [ws, userId, JSON.stringify({ note: TRICKY }), new Date(t0)]);
    await em.execute(`insert into tasks (id, workspace_id, owner_id, title, notes, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)`,
      [randomUUID(), ws, userId, '=HYPERLINK("x")', TRICKY, new Date(t0), new Date(t0)]);
    await em.execute(`insert into agents (id, workspace_id, name) values (?, ?, '-agent, one')`, [agentId, ws]);
    await ensureUpcomingMetricPartitions(em);
    const now = Date.now() - 60_000;
    await em.execute(`insert into metric_samples (workspace_id, agent_id, ts, latency_ms, tokens_in, cost_usd, labels) values
      (?, ?, ?, -1.5, 7, 0.25, '{"region":"eu, west"}'), (?, ?, ?, 2, null, null, null)`,
    [ws, agentId, new Date(now), ws, agentId, new Date(now + 1000)]);
  });
  afterAll(() => rt?.close());

  async function exportOf(kind: ExportKind, format: ExportFormat, extra: { gzip?: boolean; workspaceId?: string } = {}) {
    const row: IExport = await createExport(deps(), { workspaceId: extra.workspaceId ?? ws, kind, format, gzip: extra.gzip });
    const result = await runExport(rt, row.id);
    expect(result.status).toBe('completed');
    const path = exportPaths(rt.dataDir, row.id, 0, fileExtension(format, extra.gzip ?? false)).final;
    const raw = await readFile(path);
    const text = (extra.gzip ? gunzipSync(raw) : raw).toString('utf8');
    const stored = await rt.orm.em.fork().findOneOrFail(ExportEntity, { id: row.id });
    return { text, rows: parseExport(format, text), stored };
  }

  it.each(EXPORT_FORMATS)('messages as %s: every message with conversation, author, tokens and cost; nothing of other workspaces', async (format) => {
    const { rows, stored } = await exportOf('messages', format);
    expect(rows).toHaveLength(1 + FORMULAS.length);
    expect(Number(stored.rows)).toBe(rows.length);
    expect(stored.status).toBe('completed');
    const first = rows[0]!;
    expect(first.conversation_title).toBe(TRICKY);
    expect(first.author_email).toBe('ana@example.com');
    expect(String(first.tokens)).toBe('10');
    expect(String(first.cost_usd)).toBe('0.5');
    expect(first.content).toBe(TRICKY);
    const contents = rows.slice(1).map((r) => r.content);
    // CSV neutralises formulas with a leading '; JSON keeps the text as it is.
    expect(contents).toEqual(format === 'csv' ? FORMULAS.map((f) => `'${f}`) : FORMULAS);
    expect(rows.map((r) => r.content)).not.toContain('foreign');
  });

  it.each(EXPORT_FORMATS)('conversations, audit, tasks and metrics as %s', async (format) => {
    const conv = (await exportOf('conversations', format)).rows;
    expect(conv).toHaveLength(1);
    expect(conv[0]).toMatchObject({ title: TRICKY, created_by_email: 'ana@example.com', created_at: '2026-01-01T00:00:00.000Z' });
    expect(String(conv[0]!.messages)).toBe(String(1 + FORMULAS.length));

    const audit = (await exportOf('audit', format)).rows.filter((r) => r.action === 'test.action');
    expect(audit).toHaveLength(1);
    const data = format === 'csv' ? JSON.parse(audit[0]!.data as string) : audit[0]!.data;
    expect(data).toEqual({ note: TRICKY });

    const tasks = (await exportOf('tasks', format)).rows;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.title).toBe(format === 'csv' ? `'=HYPERLINK("x")` : '=HYPERLINK("x")');
    expect(tasks[0]!.notes).toBe(TRICKY);
    expect(String(tasks[0]!.completed)).toBe('false');

    const samples = (await exportOf('metrics', format)).rows;
    expect(samples).toHaveLength(2);
    // A negative number stays a number; a text cell starting with - is neutralised.
    expect(String(samples[0]!.latency_ms)).toBe('-1.5');
    expect(samples[0]!.agent).toBe(format === 'csv' ? "'-agent, one" : '-agent, one');
    expect(format === 'csv' ? JSON.parse(samples[0]!.labels as string) : samples[0]!.labels).toEqual({ region: 'eu, west' });
    expect(samples[1]!.tokens_in).toBe(format === 'csv' ? '' : null);
  });

  it('writes RFC 4180 CSV byte for byte: header, CRLF, quotes doubled, UTF-8', async () => {
    const { text } = await exportOf('conversations', 'csv');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('id,title,created_by,created_by_email,messages,created_at,last_activity_at,archived_at');
    expect(text).toContain(`,"Q4, ""big"" deal\nnext line — café ☕",`);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('an empty export is a header (CSV), [] (JSON) or nothing (NDJSON)', async () => {
    const empty = randomUUID();
    expect((await exportOf('messages', 'csv', { workspaceId: empty })).text).toBe(
      'id,conversation_id,conversation_title,seq,role,author_id,author_email,status,content,tokens,cost_usd,latency_ms,created_at\r\n');
    expect((await exportOf('messages', 'json', { workspaceId: empty })).text).toBe('[]\n');
    expect((await exportOf('messages', 'ndjson', { workspaceId: empty })).text).toBe('');
  });

  it('gzip round trip gives the same bytes as the plain file', async () => {
    const plain = await exportOf('messages', 'ndjson');
    const zipped = await exportOf('messages', 'ndjson', { gzip: true });
    expect(zipped.text).toBe(plain.text);
    expect(zipped.stored.fileName).toMatch(/\.ndjson\.gz$/);
  });

  it('cancel stops a running export and removes its partial file; retry runs it again to completion', async () => {
    const row = await createExport(deps(), { workspaceId: ws, kind: 'messages', format: 'csv' });
    // Cancelled before the worker gets to it: the run finds it cancelled and writes nothing.
    await cancelExport({ ...deps(), dataDir: rt.dataDir }, ws, row.id, userId);
    expect(await runExport(rt, row.id)).toEqual({ status: 'skipped' });
    expect((await readdir(exportDir(rt.dataDir))).filter((n) => n.includes(row.id))).toEqual([]);
    await expect(cancelExport({ ...deps(), dataDir: rt.dataDir }, ws, row.id, userId)).rejects.toThrow(/only queued or running/);
    // Another workspace cannot retry it; its own admin can.
    await expect(retryExport(deps(), other, row.id, userId)).rejects.toThrow(/not found/i);
    const again = await retryExport(deps(), ws, row.id, userId);
    expect(again.status).toBe('queued');
    expect((await runExport(rt, row.id)).status).toBe('completed');
  });

  it('property: any text round-trips through CSV, with formula-like cells prefixed by one quote', async () => {
    const texts = fc.sample(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom(...FORMULAS, '"', ',', '\r\n', 'é,"x"\n')), { numRuns: 300, seed: 22 })
      .map((t) => Buffer.from(t.replace(/\0/g, '')).toString()); // PostgreSQL text holds no NUL, only valid UTF-8 (lone surrogates become U+FFFD)
    const space = randomUUID();
    const em = rt.orm.em.fork();
    const conv = randomUUID();
    await em.execute(`insert into conversations (id, workspace_id, created_by, title, created_at, last_activity_at) values (?, ?, ?, 'p', now(), now())`, [conv, space, userId]);
    for (const [i, content] of texts.entries())
      await em.execute(`insert into messages (id, conversation_id, seq, role, content, status, created_at) values (?, ?, ?, 'user', ?, 'complete', now())`, [randomUUID(), conv, i + 1, content]);
    const { rows } = await exportOf('messages', 'csv', { workspaceId: space });
    const expected = texts.map((t) => (/^[=+\-@\t\r\n]/.test(t) ? `'${t}` : t));
    expect(rows.map((r) => r.content)).toEqual(expected);
  });

  it('a run after a crashed attempt starts over: the stale partial file goes, the export completes under a new attempt', async () => {
    const row = await createExport(deps(), { workspaceId: ws, kind: 'messages', format: 'ndjson' });
    // What a worker killed mid-write leaves: the row running under attempt 1 and a truncated file.
    await rt.orm.em.fork().nativeUpdate(ExportEntity, { id: row.id }, { status: 'running', attempt: 1, rows: 3 });
    const stale = exportPaths(rt.dataDir, row.id, 1, fileExtension('ndjson', false)).part;
    await mkdir(exportDir(rt.dataDir), { recursive: true });
    await writeFile(stale, '{"id":"trunc');
    expect((await runExport(rt, row.id)).status).toBe('completed');
    const done = await rt.orm.em.fork().findOneOrFail(ExportEntity, { id: row.id });
    expect({ status: done.status, attempt: done.attempt, rows: Number(done.rows) }).toEqual({ status: 'completed', attempt: 2, rows: 1 + FORMULAS.length });
    expect((await readdir(exportDir(rt.dataDir))).filter((n) => n.includes(row.id))).toEqual([`${row.id}.ndjson`]);
  });

  /** `samples` metric samples in a workspace of their own, exported slowly (100 ms per chunk) to watch it run. */
  async function slowMetricsExport(samples: number, format: 'csv' | 'ndjson') {
    const workspaceId = randomUUID();
    await rt.orm.em.fork().execute(
      `insert into metric_samples (workspace_id, agent_id, ts, latency_ms) select ?, ?, ?::timestamptz + g * interval '1 millisecond', g from generate_series(1, ?::int) g`,
      [workspaceId, agentId, new Date(Date.now() - 3_600_000), samples]);
    const row = await createExport(deps(), { workspaceId, kind: 'metrics', format });
    return { workspaceId, row, running: runExport(rt, row.id, { delayPerChunkMs: 100 }) };
  }

  it('counts the total beside the stream: the row has its total and growing rows while the file is written', async () => {
    const { row, running } = await slowMetricsExport(20000, 'ndjson');
    const seen: { total: number | null; rows: number }[] = [];
    for (;;) {
      const now = await rt.orm.em.fork().findOneOrFail(ExportEntity, { id: row.id });
      if (now.status !== 'running' && now.status !== 'queued') break;
      seen.push({ total: now.totalRows == null ? null : Number(now.totalRows), rows: Number(now.rows) });
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await running).toMatchObject({ status: 'completed', rows: 20000 });
    // Progress was written while rows still streamed, with the total already known.
    expect(seen.some((p) => p.total === 20000 && p.rows > 0 && p.rows < 20000)).toBe(true);
    const done = await rt.orm.em.fork().findOneOrFail(ExportEntity, { id: row.id });
    expect({ status: done.status, rows: Number(done.rows), total: Number(done.totalRows) }).toEqual({ status: 'completed', rows: 20000, total: 20000 });
  });

  it('cancel while the file is being written stops the job at its next progress write', async () => {
    const { workspaceId: big, row, running } = await slowMetricsExport(50000, 'csv');
    // Waits (bounded by the test timeout) until the export has reported progress, then cancels.
    for (;;) {
      const now = await rt.orm.em.fork().findOneOrFail(ExportEntity, { id: row.id });
      if (now.status === 'running' && Number(now.rows) > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await cancelExport({ ...deps(), dataDir: rt.dataDir }, big, row.id, userId);
    expect(await running).toEqual({ status: 'cancelled' });
    expect((await readdir(exportDir(rt.dataDir))).filter((n) => n.includes(row.id))).toEqual([]);
    expect((await rt.orm.em.fork().findOneOrFail(ExportEntity, { id: row.id })).status).toBe('cancelled');
  });
});
