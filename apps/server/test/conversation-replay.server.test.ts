// conversation.replay: a recorded session's events in order with their times, the charts of the
// agents it discussed (tool calls and metricRefs, this workspace's agents only), bounded size,
// and NOT_FOUND for another workspace or a deleted session — in both runtime modes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendEvents, REPLAY_MAX_ENTRIES } from '@tandem/core';
import { availableModes, insertTestAgent, insertTestSamples, type TestSample } from '@tandem/core/testing';
import type { ConversationEvent } from '@tandem/schema';
import { codeOf, inviteMember, sqlRows, startTestApp, type TestApp } from './harness.ts';
import { postMetrics } from './ingest-helpers.ts';

const modes = await availableModes();

describe.each(modes)('conversation.replay (%s)', (mode) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<TestApp['signUp']>>;
  let viewer: Awaited<ReturnType<TestApp['signUp']>>;
  let stranger: Awaited<ReturnType<TestApp['signUp']>>;
  let checkout: string;
  let search: string;
  const em = () => app.rt.orm.em.fork();

  /** Events written straight to the log, as the worker and the alerts would (one transaction). */
  const append = (conversationId: string, events: unknown[]) =>
    em().transactional((tx) => appendEvents(tx, conversationId, events as ConversationEvent[]));

  beforeAll(async () => {
    app = await startTestApp(mode);
    [admin, viewer, stranger] = [await app.signUp('Admin'), await app.signUp('Viewer'), await app.signUp('Stranger')];
    await inviteMember(app, admin.token, admin.workspaceId, viewer, 'viewer');
    checkout = await insertTestAgent(em(), admin.workspaceId, { name: 'checkout-bot' });
    search = await insertTestAgent(em(), admin.workspaceId, { name: 'search-bot' });
    // Only the stranger's workspace has a foreign-bot: a session here naming it charts nothing of theirs.
    await insertTestAgent(em(), stranger.workspaceId, { name: 'foreign-bot' });
    const now = Date.now();
    const samples: TestSample[] = [];
    for (let i = 0; i < 60; i++) samples.push({ agentId: checkout, ts: now - 10 * 60_000 + i * 10_000, latency_ms: 200 + i, requests: 1, errors: i % 5 === 0 ? 1 : 0 });
    for (let i = 0; i < 60; i++) samples.push({ agentId: search, ts: now - 10 * 60_000 + i * 10_000, requests: 4, errors: 1 });
    await insertTestSamples(em(), admin.workspaceId, samples);
  });
  afterAll(() => app?.close());

  it('plays a recorded question back in order: the question, the tool call, the reply growing to its final text, and the agent chart over the span', async () => {
    const c = await app.client(admin.token).conversation.create.mutate({ workspaceId: admin.workspaceId, title: 'Checkout incident' });
    const { runId, message } = await app.client(admin.token).conversation.send.mutate({
      conversationId: c.id, content: 'What was the p95 latency of checkout-bot in the last hour?', clientMessageId: randomUUID(),
    });
    await vi.waitFor(async () => expect((await sqlRows<{ status: string }>(app, 'select status from runs where id = ?', [runId]))[0]?.status).toBe('completed'),
      { timeout: 30_000, interval: 100 });

    const replay = await app.client(viewer.token).conversation.replay.query({ conversationId: c.id });
    expect(replay.conversation).toMatchObject({ id: c.id, title: 'Checkout incident' });
    expect(replay.truncated).toBeNull();
    const { entries } = replay;
    // Every stored event, in seq order, with times that never go back.
    const stored = await sqlRows<{ n: number }>(app, 'select count(*)::int as n from conversation_events where conversation_id = ?', [c.id]);
    expect(entries.length).toBe(stored[0]!.n);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.at).toBeGreaterThanOrEqual(entries[i - 1]!.at);
    expect(replay.span).toEqual({ from: entries[0]!.at, to: entries.at(-1)!.at });

    const types = entries.map((e) => e.event.type);
    expect(entries[0]!.event).toMatchObject({ type: 'message.created', message: { id: message.id, role: 'user', author: { name: 'Admin' } } });
    const started = types.indexOf('tool.started');
    const finished = types.indexOf('tool.finished');
    const completed = types.indexOf('message.completed');
    expect(started).toBeGreaterThan(0);
    expect(finished).toBeGreaterThan(started);
    expect(completed).toBeGreaterThan(finished);
    expect(entries[finished]!.event).toMatchObject({ name: 'query_agent_metrics', args: { agent: 'checkout-bot', metric: 'latency_ms' } });

    // The reply's text growth: its deltas add up to the stored final text.
    const reply = entries.find((e) => e.event.type === 'message.created' && e.event.message.role === 'assistant')!.event as Extract<ConversationEvent, { type: 'message.created' }>;
    const deltas = entries.flatMap((e) => (e.event.type === 'message.delta' && e.event.messageId === reply.message.id ? [e.event] : []));
    expect(deltas.length).toBeGreaterThan(0);
    const grown = deltas.reduce((text, d) => (d.replace ? d.text : text + d.text), '');
    const [final] = await sqlRows<{ content: string }>(app, 'select content from messages where id = ?', [reply.message.id]);
    expect(grown).toBe(final!.content);
    expect(entries[completed]!.event).toMatchObject({ content: final!.content, status: 'complete' });

    // The chart of the agent it discussed covers the span with a margin, with the samples in it.
    expect(replay.charts).toHaveLength(1);
    const [chart] = replay.charts;
    expect(chart).toMatchObject({ metric: 'latency_ms', agg: 'p95', source: 'raw' });
    expect(chart!.series.map((s) => s.agentName)).toEqual(['checkout-bot']);
    expect(chart!.series[0]!.values.some((v) => v !== null && v >= 200)).toBe(true);
    expect(chart!.x.length).toBeLessThanOrEqual(400);
    expect(replay.chartRange!.from).toBeLessThan(replay.span!.from);
    expect(replay.chartRange!.to).toBeGreaterThan(replay.span!.to);
    expect(chart!.x[0]! * 1000).toBeLessThanOrEqual(replay.chartRange!.from);
  });

  it("charts the agents of metricRefs and alert posts (unknown roles pass through), never another workspace's agent of the same name", async () => {
    const c = await app.client(admin.token).conversation.create.mutate({ workspaceId: admin.workspaceId });
    const now = Date.now();
    // A question asked from a chart range (metricRef), answered by the offline assistant.
    const { runId } = await app.client(admin.token).conversation.send.mutate({
      conversationId: c.id, content: 'What happened here?', clientMessageId: randomUUID(),
      metricRef: { agentId: search, metric: 'error_rate', from: now - 5 * 60_000, to: now },
    });
    await vi.waitFor(async () => expect((await sqlRows<{ status: string }>(app, 'select status from runs where id = ?', [runId]))[0]?.status).toBe('completed'),
      { timeout: 30_000, interval: 100 });
    // Then an alert post about checkout-bot (a role this server may not know), a call naming another
    // workspace's agent, and an event type from a newer server.
    const post = {
      id: randomUUID(), conversationId: c.id, seq: 99, role: 'alert', author: null, content: 'checkout-bot latency above 250 ms', status: 'complete',
      runId: null, tokens: null, costUsd: null, latencyMs: null, createdAt: new Date().toISOString(),
      metricRef: { agentId: checkout, metric: 'latency_ms', from: now - 5 * 60_000, to: now },
    };
    await append(c.id, [
      { type: 'message.created', message: post },
      { type: 'tool.finished', runId: randomUUID(), callId: randomUUID(), name: 'query_agent_metrics', args: { agent: 'foreign-bot', metric: 'cpu_pct' }, result: { metric: 'cpu_pct', agents: ['foreign-bot'] }, latencyMs: 3 },
      { type: 'alert.someday', note: 'an event type this server does not know yet' },
    ]);
    const replay = await app.client(viewer.token).conversation.replay.query({ conversationId: c.id });
    expect(replay.entries[0]!.event).toMatchObject({ type: 'message.created', message: { role: 'user', metricRef: { agentId: search, metric: 'error_rate' } } });
    expect(replay.entries.slice(-3).map((e) => e.event.type)).toEqual(['message.created', 'tool.finished', 'alert.someday']);
    expect(replay.entries.at(-3)!.event).toMatchObject({ message: { role: 'alert', metricRef: { agentId: checkout } } });
    expect(replay.charts.map((ch) => ({ metric: ch.metric, agents: ch.series.map((s) => s.agentName) }))).toEqual([
      { metric: 'error_rate', agents: ['search-bot'] },
      { metric: 'latency_ms', agents: ['checkout-bot'] },
    ]);
    expect(replay.charts[0]!.series[0]!.values.some((v) => v === 0.25)).toBe(true);
  });

  it('replays a real alert post (a rule naming the session, fired by a POSTed sample) with the chart of its agent', async () => {
    const client = app.client(admin.token);
    const c = await client.conversation.create.mutate({ workspaceId: admin.workspaceId, title: 'Pager' });
    const { key } = await client.ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: `replay-${mode}` });
    const post = (latency: number) => postMetrics(app.url, key, { agent: `pager-bot-${mode}`, samples: [{ ts: Date.now() - 200, latency_ms: latency }] });
    expect((await post(100)).status).toBe(202);
    const agent = (await client.agent.list.query({ workspaceId: admin.workspaceId })).find((a) => a.name === `pager-bot-${mode}`)!;
    await client.alert.createRule.mutate({ workspaceId: admin.workspaceId, agentId: agent.id, metric: 'latency_ms', agg: 'max', op: '>', threshold: 800, windowMs: 60_000, conversationId: c.id });
    expect((await post(1500)).status).toBe(202);
    await vi.waitFor(async () => expect((await client.conversation.get.query({ conversationId: c.id })).messages.map((m) => m.role)).toEqual(['alert']),
      { timeout: 10_000, interval: 100 });

    const replay = await app.client(viewer.token).conversation.replay.query({ conversationId: c.id });
    const posted = replay.entries.find((e) => e.event.type === 'message.created')!.event as Extract<ConversationEvent, { type: 'message.created' }>;
    expect(posted.message).toMatchObject({ role: 'alert', author: null, metricRef: { agentId: agent.id, metric: 'latency_ms' } });
    expect(replay.charts.map((ch) => ({ metric: ch.metric, agents: ch.series.map((s) => s.agentName) }))).toEqual([{ metric: 'latency_ms', agents: [`pager-bot-${mode}`] }]);
    // p95 of its buckets: the breaching sample shows (a bucket holding it and the 100 ms one reads about 1,430).
    expect(Math.max(...replay.charts[0]!.series[0]!.values.map((v) => v ?? 0))).toBeGreaterThan(800);
  });

  it('is NOT_FOUND for another workspace and for a deleted session; an empty session has nothing to replay', async () => {
    const c = await app.client(admin.token).conversation.create.mutate({ workspaceId: admin.workspaceId });
    const empty = await app.client(viewer.token).conversation.replay.query({ conversationId: c.id });
    expect(empty).toMatchObject({ entries: [], span: null, chartRange: null, charts: [], truncated: null });
    expect(await codeOf(app.client(stranger.token).conversation.replay.query({ conversationId: c.id }))).toBe('NOT_FOUND');
    expect(await codeOf(app.client().conversation.replay.query({ conversationId: c.id }))).toBe('UNAUTHORIZED');
    await app.client(admin.token).conversation.delete.mutate({ conversationId: c.id });
    expect(await codeOf(app.client(admin.token).conversation.replay.query({ conversationId: c.id }))).toBe('NOT_FOUND');
  });

  it('bounds its size: deltas are merged when there are too many, events past the cap are left out and counted, huge tool results are cut', async () => {
    const c = await app.client(admin.token).conversation.create.mutate({ workspaceId: admin.workspaceId });
    const messageId = randomUUID();
    const reply = { id: messageId, conversationId: c.id, seq: 1, role: 'assistant', author: null, content: '', status: 'streaming', runId: null, tokens: null, costUsd: null, latencyMs: null, createdAt: new Date().toISOString() };
    const words = Array.from({ length: REPLAY_MAX_ENTRIES + 500 }, (_, i) => `w${i} `);
    await append(c.id, [{ type: 'message.created', message: reply }, ...words.map((text) => ({ type: 'message.delta', messageId, text }))]);
    const merged = await app.client(viewer.token).conversation.replay.query({ conversationId: c.id });
    // Written in one transaction (one commit time): the deltas become one step with the whole text.
    expect(merged.truncated).toBeNull();
    expect(merged.entries.length).toBeLessThan(REPLAY_MAX_ENTRIES);
    const text = merged.entries.flatMap((e) => (e.event.type === 'message.delta' ? [e.event.text] : [])).join('');
    expect(text).toBe(words.join(''));

    const rows = Array.from({ length: 5000 }, (_, i) => ({ time: new Date(i * 1000).toISOString(), value: i }));
    await append(c.id, [
      { type: 'tool.finished', runId: randomUUID(), callId: randomUUID(), name: 'get_sales_by_month', args: {}, result: { rows }, latencyMs: 5 },
      ...Array.from({ length: REPLAY_MAX_ENTRIES + 40 }, (_, i) => ({ type: 'conversation.updated', title: `t${i}`, archived: false })),
    ]);
    const capped = await app.client(viewer.token).conversation.replay.query({ conversationId: c.id });
    expect(capped.entries).toHaveLength(REPLAY_MAX_ENTRIES);
    const lastKept = capped.entries.at(-1)!;
    const [{ n } = { n: 0 }] = await sqlRows<{ n: number }>(app, 'select count(*)::int as n from conversation_events where conversation_id = ? and seq > ?', [c.id, lastKept.seq]);
    expect(n).toBeGreaterThan(0);
    expect(capped.truncated).toEqual({ omittedEvents: n, at: lastKept.at });
    const tool = capped.entries.find((e) => e.event.type === 'tool.finished')!.event as Extract<ConversationEvent, { type: 'tool.finished' }>;
    expect((tool.result as { rows: unknown[] }).rows).toHaveLength(100);
  });
});
