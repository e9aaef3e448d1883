// usage.assistant (the quota in sight) and workspace.setBudget (questions refused once the month's
// assistant spend reaches the budget; runs in flight finish; admins see why).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import { codeOf, errorOf, sqlRows, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();

describe.each(modes)('assistant usage and budget (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode, { ASSISTANT_RATE_LIMIT_PER_HOUR: '4' });
  });
  afterAll(() => app?.close());

  const completed = async (conversationId: string, n: number) =>
    vi.waitFor(async () => expect(await sqlRows(app, `select id from messages where conversation_id = ? and role = 'assistant' and status = 'complete'`, [conversationId])).toHaveLength(n), { timeout: 30_000, interval: 100 });

  it('counts down the hourly questions left and says when the next one frees', async () => {
    const u = await app.signUp('Counter');
    const api = app.client(u.token);
    const fresh = await api.usage.assistant.query({ workspaceId: u.workspaceId });
    expect(fresh).toMatchObject({ assistant: 'the offline assistant', limit: 4, remaining: 4, resetAt: null, workspace: { monthCostUsd: 0, budgetUsd: null, overBudget: false } });
    const c = await api.conversation.create.mutate({ workspaceId: u.workspaceId });
    const before = Date.now();
    for (let i = 0; i < 3; i++) await api.conversation.send.mutate({ conversationId: c.id, content: 'sales by month', clientMessageId: randomUUID() });
    const used = await api.usage.assistant.query({ workspaceId: u.workspaceId });
    expect(used.remaining).toBe(1);
    const resetAt = new Date(used.resetAt!).getTime();
    expect(resetAt).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(resetAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    await api.conversation.send.mutate({ conversationId: c.id, content: 'sales by month', clientMessageId: randomUUID() });
    expect((await api.usage.assistant.query({ workspaceId: u.workspaceId })).remaining).toBe(0);
    const refused = await errorOf(api.conversation.send.mutate({ conversationId: c.id, content: 'one more', clientMessageId: randomUUID() }));
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    // Another member of the same workspace has their own hourly quota.
    const other = await app.signUp('Other');
    expect((await app.client(other.token).usage.assistant.query({ workspaceId: other.workspaceId })).remaining).toBe(4);
  });

  it('refuses new questions once the month reaches the budget, names it, and lets them through when an admin raises it', async () => {
    const u = await app.signUp('Budget');
    const api = app.client(u.token);
    await api.workspace.setBudget.mutate({ workspaceId: u.workspaceId, monthlyBudgetUsd: 0.05 });
    const c = await api.conversation.create.mutate({ workspaceId: u.workspaceId });
    await api.conversation.send.mutate({ conversationId: c.id, content: 'sales by month', clientMessageId: randomUUID() });
    await completed(c.id, 1);
    // What a provider reporting usage records on the reply: 4 cents, under the budget.
    await sqlRows(app, `update messages set cost_usd = 0.04 where conversation_id = ? and role = 'assistant'`, [c.id]);
    await api.conversation.send.mutate({ conversationId: c.id, content: 'top products', clientMessageId: randomUUID() });
    await completed(c.id, 2);
    await sqlRows(app, `update messages set cost_usd = 0.02 where id = (select id from messages where conversation_id = ? and role = 'assistant' order by seq desc limit 1)`, [c.id]);
    // 6 cents spent against 5: the next question is refused with the budget named.
    const refused = await errorOf(api.conversation.send.mutate({ conversationId: c.id, content: 'inventory', clientMessageId: randomUUID() }));
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.message).toContain('$0.06 of its $0.05 monthly assistant budget');
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(await api.usage.assistant.query({ workspaceId: u.workspaceId })).toMatchObject({ workspace: { monthCostUsd: 0.06, budgetUsd: 0.05, overBudget: true } });
    // The conversation's own meter adds up the same replies, as of its last event.
    const snapshot = await api.conversation.get.query({ conversationId: c.id, limit: 50 });
    expect(snapshot.usage.costUsd).toBeCloseTo(0.06, 9);
    expect(snapshot.usage.asOfSeq).toBe(snapshot.conversation.lastSeq);
    // Raised: questions go through again; both changes are in the audit log.
    await api.workspace.setBudget.mutate({ workspaceId: u.workspaceId, monthlyBudgetUsd: 1 });
    expect(await codeOf(api.conversation.send.mutate({ conversationId: c.id, content: 'inventory', clientMessageId: randomUUID() }))).toBe('OK');
    const audit = await sqlRows<{ data: { from: number | null; to: number | null } }>(app, `select data from audit_log where workspace_id = ? and action = 'workspace.budget' order by id`, [u.workspaceId]);
    expect(audit.map((a) => a.data)).toEqual([{ from: null, to: 0.05 }, { from: 0.05, to: 1 }]);
    await api.workspace.setBudget.mutate({ workspaceId: u.workspaceId, monthlyBudgetUsd: null });
    expect((await api.usage.assistant.query({ workspaceId: u.workspaceId })).workspace.budgetUsd).toBeNull();
  });

  it('refuses a budget below zero (members are refused by the access matrix)', async () => {
    const admin = await app.signUp('Admin');
    expect(await codeOf(app.client(admin.token).workspace.setBudget.mutate({ workspaceId: admin.workspaceId, monthlyBudgetUsd: -1 }))).toBe('BAD_REQUEST');
  });
});
