// docs/reliability.md §23: retention sweeps archive idle conversations, purge them after the grace
// period in bounded batches, keep active ones and never touch the audit log. The clock is injected.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableModes, createTestRuntime, type TestRuntime } from '../src/testing/modes.ts';
import { recordAudit } from '../src/audit/audit-log.ts';
import { listConversations, restoreConversation } from '../src/conversations/conversations.ts';
import { RETENTION_BATCH, retentionReport, setConversationRetention, sweepRetention } from '../src/retention/retention.ts';

const modes = await availableModes();
const DAY = 86_400_000;
const T0 = Date.parse('2026-06-01T00:00:00Z');

describe.each(modes)('retention sweeps (%s)', (mode) => {
  let rt: TestRuntime;
  const sql = <T = Record<string, unknown>>(q: string, params: unknown[] = []) => rt.orm.em.fork().execute<T[]>(q, params);

  async function workspace(): Promise<string> {
    const id = randomUUID();
    await sql(`insert into workspaces (id, name, created_at) values (?, 'Retention', now())`, [id]);
    return id;
  }

  /** A conversation last active at `at`, with a message, an event and a run hanging off it. */
  async function conversation(workspaceId: string, at: number): Promise<string> {
    const id = randomUUID();
    const user = randomUUID();
    const ts = new Date(at);
    await sql(`insert into conversations (id, workspace_id, created_by, title, last_seq, last_activity_at, created_at) values (?, ?, ?, 'Talk', 1, ?, ?)`, [id, workspaceId, user, ts, ts]);
    const message = randomUUID();
    await sql(`insert into messages (id, conversation_id, seq, role, author_id, content, status, created_at) values (?, ?, 1, 'user', ?, 'hello', 'complete', ?)`, [message, id, user, ts]);
    await sql(`insert into conversation_events (conversation_id, seq, type, payload, created_at) values (?, 1, 'message.created', '{}', ?)`, [id, ts]);
    await sql(`insert into runs (id, conversation_id, workspace_id, question_message_id, created_by, status, created_at) values (?, ?, ?, ?, ?, 'completed', ?)`, [randomUUID(), id, workspaceId, message, user, ts]);
    return id;
  }

  const rowsOf = async (conversationId: string) => {
    const [r] = await sql<{ c: number; m: number; e: number; r: number }>(
      `select (select count(*)::int from conversations where id = ?) as c, (select count(*)::int from messages where conversation_id = ?) as m,
              (select count(*)::int from conversation_events where conversation_id = ?) as e, (select count(*)::int from runs where conversation_id = ?) as r`,
      [conversationId, conversationId, conversationId, conversationId]);
    return r!;
  };
  const sweep = (now: number, extra: Partial<Parameters<typeof sweepRetention>[1]> = {}) =>
    sweepRetention(rt.orm.em.fork(), { now: new Date(now), defaultDays: 30, graceDays: 7, ...extra });

  beforeAll(async () => {
    rt = await createTestRuntime(mode);
  });
  afterAll(() => rt?.close());

  it('archives idle conversations, purges them with messages, events and runs after the grace period; active ones and the audit log stay', async () => {
    const ws = await workspace();
    const idle = await conversation(ws, T0);
    const active = await conversation(ws, T0 + 25 * DAY);
    const em = rt.orm.em.fork();
    recordAudit(em, { workspaceId: ws, actorId: null, action: 'member.add', targetId: idle, data: { note: 'before' } });
    await em.flush();
    const auditBefore = await sql(`select * from audit_log where workspace_id = ? and action <> 'retention.sweep' order by id`, [ws]);

    // Day 31: the idle one (30 days without activity) is archived, hidden from every list.
    const [first] = await sweep(T0 + 31 * DAY, { workspaceId: ws });
    expect(first).toMatchObject({ archived: 1, purged: 0, conversationDays: 30 });
    const [state] = await sql<{ retention_archived_at: Date | null }>(`select retention_archived_at from conversations where id = ?`, [idle]);
    expect(state!.retention_archived_at).not.toBeNull();
    for (const archived of [false, true])
      expect((await listConversations(rt.orm.em.fork(), ws, { archived, limit: 50 })).items.map((c) => c.id)).not.toContain(idle);
    expect((await listConversations(rt.orm.em.fork(), ws, { archived: false, limit: 50 })).items.map((c) => c.id)).toEqual([active]);
    const report = await retentionReport(rt.orm.em.fork(), ws, { defaultDays: 30, graceDays: 7 });
    expect(report.archived.map((c) => c.id)).toEqual([idle]);
    expect(report.lastReport).toMatchObject({ archived: 1, purged: 0, trigger: 'schedule' });

    // Re-running the same day is idempotent; within the grace period nothing is purged.
    expect((await sweep(T0 + 31 * DAY, { workspaceId: ws }))[0]).toMatchObject({ archived: 0, purged: 0 });
    expect((await sweep(T0 + 37 * DAY, { workspaceId: ws }))[0]).toMatchObject({ purged: 0 });
    expect(await rowsOf(idle)).toEqual({ c: 1, m: 1, e: 1, r: 1 });

    // Past the grace period: purged with everything hanging off it; the active one stays.
    expect((await sweep(T0 + 39 * DAY, { workspaceId: ws }))[0]).toMatchObject({ archived: 0, purged: 1 });
    expect(await rowsOf(idle)).toEqual({ c: 0, m: 0, e: 0, r: 0 });
    expect(await rowsOf(active)).toEqual({ c: 1, m: 1, e: 1, r: 1 });

    // The audit log: untouched, one entry per sweep, and still refusing edits and deletes.
    expect(await sql(`select * from audit_log where workspace_id = ? and action <> 'retention.sweep' order by id`, [ws])).toEqual(auditBefore);
    const sweeps = await sql<{ data: { archived: number; purged: number } }>(`select data from audit_log where workspace_id = ? and action = 'retention.sweep' order by id`, [ws]);
    expect(sweeps.map((s) => [s.data.archived, s.data.purged])).toEqual([[1, 0], [0, 0], [0, 0], [0, 1]]);
    await expect(sql(`update audit_log set action = 'x' where workspace_id = ?`, [ws])).rejects.toThrow(/insert-only/);
    await expect(sql(`delete from audit_log where workspace_id = ?`, [ws])).rejects.toThrow(/insert-only/);
    expect(await sql(`select * from audit_log where workspace_id = ? and action <> 'retention.sweep' order by id`, [ws])).toEqual(auditBefore);
  });

  it("uses each workspace's own period and touches only the workspace it sweeps", async () => {
    const short = await workspace();
    const other = await workspace();
    await setConversationRetention(rt.orm.em.fork(), short, randomUUID(), 5);
    const a = await conversation(short, T0);
    const b = await conversation(other, T0);
    await sweep(T0 + 6 * DAY, { workspaceId: short });
    const archived = await sql<{ id: string }>(`select id from conversations where id in (?, ?) and retention_archived_at is not null`, [a, b]);
    expect(archived.map((r) => r.id)).toEqual([a]);
    // A sweep of every workspace on day 6 leaves the other (30 days) alone too.
    await sweep(T0 + 6 * DAY);
    expect(await sql(`select id from conversations where id = ? and retention_archived_at is not null`, [b])).toEqual([]);
  });

  it('restoring what retention archived is audited, and the conversation counts as active from then', async () => {
    const ws = await workspace();
    const c = await conversation(ws, T0);
    await sweep(T0 + 31 * DAY, { workspaceId: ws });
    const admin = randomUUID();
    await restoreConversation(rt.orm.em.fork(), rt.bus, c, admin);
    const [row] = await sql<{ archived_at: Date | null; retention_archived_at: Date | null; last_activity_at: Date }>(
      `select archived_at, retention_archived_at, last_activity_at from conversations where id = ?`, [c]);
    expect(row).toMatchObject({ archived_at: null, retention_archived_at: null });
    expect(new Date(row!.last_activity_at).getTime()).toBeGreaterThan(T0 + 31 * DAY);
    const audit = await sql<{ actor_id: string; target_id: string }>(`select actor_id, target_id from audit_log where workspace_id = ? and action = 'retention.restore'`, [ws]);
    expect(audit).toEqual([{ actor_id: admin, target_id: c }]);
    // Restoring a conversation a member archived themselves is no retention matter: not audited as one.
    const own = await conversation(ws, Date.now());
    await sql(`update conversations set archived_at = now() where id = ?`, [own]);
    await restoreConversation(rt.orm.em.fork(), rt.bus, own, admin);
    expect(await sql(`select 1 from audit_log where action = 'retention.restore' and target_id = ?`, [own])).toEqual([]);
  });

  it('a conversation that became active again after the select is not archived (the update checks again)', async () => {
    const ws = await workspace();
    const c = await conversation(ws, T0);
    await sql(`update conversations set last_activity_at = ? where id = ?`, [new Date(T0 + 30 * DAY), c]);
    expect((await sweep(T0 + 31 * DAY, { workspaceId: ws }))[0]!.archived).toBe(0);
  });

  it('sweeps 20,000 conversations in bounded batches (one transaction per 500 ids)', async () => {
    const ws = await workspace();
    const N = 20_000;
    await sql(`insert into conversations (id, workspace_id, created_by, title, last_seq, last_activity_at, created_at)
               select gen_random_uuid(), ?, gen_random_uuid(), 'Bulk', 0, ?::timestamptz, ?::timestamptz from generate_series(1, ?)`,
      [ws, new Date(T0), new Date(T0), N]);
    const batches: { step: string; size: number }[] = [];
    const [archive] = await sweep(T0 + 31 * DAY, { workspaceId: ws, onBatch: (b) => batches.push(b) });
    expect(archive!.archived).toBe(N);
    expect(batches.every((b) => b.step === 'archive' && b.size <= RETENTION_BATCH)).toBe(true);
    expect(batches).toHaveLength(N / RETENTION_BATCH);

    batches.length = 0;
    const [purge] = await sweep(T0 + 39 * DAY, { workspaceId: ws, onBatch: (b) => batches.push(b) });
    expect(purge!.purged).toBe(N);
    expect(batches.every((b) => b.step === 'purge' && b.size <= RETENTION_BATCH)).toBe(true);
    expect(batches).toHaveLength(N / RETENTION_BATCH);
    expect(await sql(`select id from conversations where workspace_id = ?`, [ws])).toEqual([]);
  }, 240_000);
});
