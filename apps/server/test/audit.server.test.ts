// The audit log's events (sign-ins, questions, tool calls, retention) and audit.list's filters
// (actor, action prefix, target, time range) with cursor pagination, in both modes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import { codeOf, sqlRows, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();

describe.each(modes)('audit log (%s)', (mode) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<TestApp['signUp']>>;
  let member: Awaited<ReturnType<TestApp['signUp']>>;
  const list = (input: Record<string, unknown> = {}) =>
    app.client(admin.token).audit.list.query({ workspaceId: admin.workspaceId, ...input });

  beforeAll(async () => {
    app = await startTestApp(mode);
    admin = await app.signUp('Auditor');
    member = await app.signUp('Asker');
    await sqlRows(app, `insert into memberships (id, workspace_id, user_id, role, created_at) values (gen_random_uuid(), ?, ?, 'member', now())`,
      [admin.workspaceId, member.userId]);
  });
  afterAll(() => app?.close());

  it('records sign-ins and failed sign-ins of members, with the client address and no password', async () => {
    await app.client().auth.login.mutate({ email: member.email, password: 'correct horse' });
    expect(await codeOf(app.client().auth.login.mutate({ email: member.email, password: 'wrong horse!' }))).toBe('UNAUTHORIZED');
    const { items } = await list({ action: 'auth.', targetId: member.userId });
    expect(items.map((i) => [i.action, i.actor?.id ?? null])).toEqual([['auth.loginFailed', null], ['auth.login', member.userId]]);
    expect(items[0]!.data).toEqual({ address: expect.any(String) });
    expect(JSON.stringify(items)).not.toContain('horse');
  });

  it("records who asked in which conversation (not the text) and each tool call's name, latency and outcome", async () => {
    const conversationId = (await app.client(member.token).conversation.create.mutate({ workspaceId: admin.workspaceId })).id;
    const { runId } = await app.client(member.token).conversation.send.mutate({ conversationId, content: 'Top products by revenue secret-word?', clientMessageId: randomUUID() });
    await vi.waitFor(async () => {
      const [run] = await sqlRows<{ status: string }>(app, 'select status from runs where id = ?', [runId]);
      expect(run?.status).toBe('completed');
    }, { timeout: 30_000, interval: 100 });
    const questions = (await list({ action: 'assistant.question', targetId: conversationId })).items;
    expect(questions.map((q) => [q.actor?.id, q.data])).toEqual([[member.userId, { runId }]]);
    const tools = (await list({ action: 'assistant.tool', actorId: member.userId })).items;
    expect(tools.length).toBeGreaterThan(0);
    for (const t of tools) {
      expect(t.targetId).toBe(conversationId);
      expect(t.data).toEqual({ tool: expect.stringMatching(/^[a-z_]+$/), latencyMs: expect.any(Number), outcome: 'ok', runId });
    }
    expect(JSON.stringify([...questions, ...tools])).not.toContain('secret-word');
  });

  it('retention.set and retention.run are audited, and retention.report shows the last sweep', async () => {
    await app.client(admin.token).retention.set.mutate({ workspaceId: admin.workspaceId, conversationDays: 90 });
    const report = await app.client(admin.token).retention.run.mutate({ workspaceId: admin.workspaceId });
    expect(report).toMatchObject({ conversationDays: 90, archived: 0, purged: 0, trigger: 'manual' });
    const entries = (await list({ action: 'retention.' })).items;
    expect(entries.map((e) => [e.action, e.actor?.id])).toEqual([['retention.sweep', admin.userId], ['retention.set', admin.userId]]);
    expect(entries[1]!.data).toEqual({ from: null, to: 90 });
    const shown = await app.client(admin.token).retention.report.query({ workspaceId: admin.workspaceId });
    expect(shown).toMatchObject({ conversationDays: 90, workspaceDays: 90, defaultDays: 30, graceDays: 7, lastReport: { archived: 0, purged: 0, trigger: 'manual' }, archived: [] });
    expect(await codeOf(app.client(admin.token).retention.set.mutate({ workspaceId: admin.workspaceId, conversationDays: 0 }))).toBe('BAD_REQUEST');
  });

  it('filters by actor, action prefix, target and time range, and pages with the cursor under a filter', async () => {
    const all = (await list({ limit: 200 })).items;
    expect(all.length).toBeGreaterThan(5);
    const byMember = (await list({ actorId: member.userId, limit: 200 })).items;
    expect(byMember.length).toBeGreaterThan(0);
    expect(byMember.every((i) => i.actor?.id === member.userId)).toBe(true);
    expect(byMember).toEqual(all.filter((i) => i.actor?.id === member.userId));
    // A prefix matches whole action families; `_` and `%` are literal characters, not wildcards.
    expect((await list({ action: 'workspace.', limit: 200 })).items.map((i) => i.action)).toEqual(['workspace.create']);
    expect((await list({ action: 'auth_' })).items).toEqual([]);
    // Time range: from inclusive, to exclusive.
    const times = all.map((i) => Date.parse(i.createdAt)).sort((a, b) => a - b);
    const mid = times[Math.floor(times.length / 2)]!;
    const after = (await list({ from: mid, limit: 200 })).items;
    const before = (await list({ to: mid, limit: 200 })).items;
    expect(after.every((i) => Date.parse(i.createdAt) >= mid) && before.every((i) => Date.parse(i.createdAt) < mid)).toBe(true);
    expect(after.length + before.length).toBe(all.length);
    // Pages of 1 under a filter walk the same rows as one big page.
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list({ actorId: member.userId, limit: 1, ...(cursor ? { cursor } : {}) });
      paged.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(byMember.map((i) => i.id));
    expect(await codeOf(list({ action: 'bad action!' }))).toBe('BAD_REQUEST');
  });
});
