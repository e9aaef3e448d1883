// Alert rules that post into a session, in both runtime modes: a fired event written by a POSTed
// sample appears in the session as a message from "Tandem alerts" (row and live event, its window
// as metricRef), costs nobody quota and starts no run, is context in the assistant's history; a
// conversation of another workspace is NOT_FOUND; a deleted session stops the posts, not the alerts.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALERT_POST_MARK, readRunContext } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import type { AlertEvent, ConversationEvent } from '@tandem/schema';
import { codeOf, sqlRows, startTestApp, watchSubscription, type TestApp } from './harness.ts';
import { postMetrics } from './ingest-helpers.ts';

const modes = await availableModes();

describe.each(modes)('alert posts into a session (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode, {}, { workers: false }); // no worker: nothing could answer a run
  });
  afterAll(() => app?.close());

  it('posts fired and resolved into the session live, without a run or quota; another workspace\'s session is NOT_FOUND; a deleted one stops the posts', async () => {
    const admin = await app.signUp('Oncall');
    const stranger = await app.signUp('Stranger');
    const client = app.client(admin.token);
    const { workspaceId } = admin;
    const { key } = await client.ingestKey.create.mutate({ workspaceId, label: 'agents' });
    const post = (latency: number) => postMetrics(app.url, key, { agent: 'checkout-bot', samples: [{ ts: Date.now() - 200, latency_ms: latency }] });
    expect((await post(100)).status).toBe(202);
    const [agent] = await client.agent.list.query({ workspaceId });
    const session = await client.conversation.create.mutate({ workspaceId, title: 'Checkout incident' });
    const theirs = await app.client(stranger.token).conversation.create.mutate({ workspaceId: stranger.workspaceId });

    const ruleInput = { workspaceId, agentId: agent!.id, metric: 'latency_ms' as const, agg: 'max' as const, op: '>' as const, threshold: 800, windowMs: 60_000 };
    expect(await codeOf(client.alert.createRule.mutate({ ...ruleInput, conversationId: theirs.id }))).toBe('NOT_FOUND');
    expect(await client.alert.listRules.query({ workspaceId })).toEqual([]);
    const rule = await client.alert.createRule.mutate({ ...ruleInput, conversationId: session.id });
    expect(rule.conversation).toEqual({ id: session.id, title: 'Checkout incident' });

    const ws = app.wsClient(admin.token);
    const live = watchSubscription<{ id?: string; data?: ConversationEvent }>((o) =>
      ws.client.conversation.events.subscribe({ conversationId: session.id, lastEventId: String(session.lastSeq) }, o));
    const alerts = watchSubscription<{ id: string; data: AlertEvent }>((o) => ws.client.alert.events.subscribe({ workspaceId }, o));
    await vi.waitFor(() => expect(live.started && alerts.started).toBe(true));

    const quotaBefore = await client.usage.assistant.query({ workspaceId });
    expect((await post(1500)).status).toBe(202);
    await vi.waitFor(() => expect(live.data.filter((d) => d.data?.type === 'message.created')).toHaveLength(1), { timeout: 5000 });
    const created = live.data.find((d) => d.data?.type === 'message.created')!.data as Extract<ConversationEvent, { type: 'message.created' }>;
    const fired = alerts.data[0]!.data;
    expect(fired).toMatchObject({ kind: 'fired', value: 1500 });
    expect(created.message).toMatchObject({
      role: 'alert', author: null, runId: null, status: 'complete',
      content: `Fired: ${rule.name} — checkout-bot is at 1,500 (threshold 800)`,
      metricRef: { agentId: agent!.id, metric: 'latency_ms', to: Date.parse(fired.at) },
    });
    expect(created.message.metricRef!.to - created.message.metricRef!.from).toBe(10 * 60_000);
    // The same message for whoever opens the session later.
    const opened = await client.conversation.get.query({ conversationId: session.id });
    expect(opened.messages.map((m) => [m.role, m.content])).toEqual([['alert', created.message.content]]);
    expect(opened.conversation.lastSeq).toBe(Number(live.data.filter((d) => d.id !== undefined).at(-1)!.id));

    // No run, nothing against anyone's quota; the assistant's history has it as marked context.
    expect(await sqlRows(app, 'select id from runs where conversation_id = ?', [session.id])).toEqual([]);
    expect(await client.usage.assistant.query({ workspaceId })).toEqual(quotaBefore);
    const context = await readRunContext(app.rt.orm.em.fork(), { workspaceId, conversationId: session.id, beforeSeq: 1_000_000 });
    expect(context.messages).toHaveLength(1);
    expect(context.messages[0]!.role).toBe('user');
    expect(context.messages[0]!.content).toMatch(new RegExp(`^${ALERT_POST_MARK.replace(/[[\]]/g, '\\$&')} Fired: .*\\n\\[Attached chart: agent checkout-bot \\(id ${agent!.id}\\), metric latency_ms`));

    // Recovery is posted too. The window's max falls only when the breach leaves it, so post a low
    // value after deleting the breach sample (the test's shortcut for waiting a minute).
    const recover = async () => {
      await sqlRows(app, 'delete from metric_samples where agent_id = ? and latency_ms > 800', [agent!.id]);
      expect((await post(100)).status).toBe(202);
    };
    await recover();
    await vi.waitFor(() => expect(live.data.filter((d) => d.data?.type === 'message.created')).toHaveLength(2), { timeout: 5000 });
    const resolvedPost = live.data.filter((d) => d.data?.type === 'message.created').at(-1)!.data as Extract<ConversationEvent, { type: 'message.created' }>;
    expect(resolvedPost.message).toMatchObject({ role: 'alert', content: `Resolved: ${rule.name} — checkout-bot is back at 100 (threshold 800)` });

    // The session is deleted: the rule keeps alerting, posts nowhere, and says so in the list.
    expect((await post(2000)).status).toBe(202);
    await vi.waitFor(() => expect(alerts.data.map((d) => d.data.kind)).toEqual(['fired', 'resolved', 'fired']), { timeout: 5000 });
    await client.conversation.delete.mutate({ conversationId: session.id });
    expect((await client.alert.listRules.query({ workspaceId }))[0]!.conversation).toBeNull();
    await recover();
    await vi.waitFor(() => expect(alerts.data.map((d) => d.data.kind)).toEqual(['fired', 'resolved', 'fired', 'resolved']), { timeout: 5000 });
    expect(await sqlRows(app, `select id from messages where role = 'alert' and conversation_id = ?`, [session.id])).toEqual([]);
    live.unsubscribe();
    alerts.unsubscribe();
    await ws.close();
  });
});
