// A metric range attached to a question (conversation.send metricRef, issue 13): scoped to the
// caller's workspace, validated, stored on the message, carried by conversation.get and the live
// `message.created` event, and answered by the offline assistant from that agent, metric and range.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableModes, insertTestAgent, insertTestSamples } from '@tandem/core/testing';
import type { ConversationEvent } from '@tandem/schema';
import { codeOf, sqlRows, startTestApp, watchSubscription, type TestApp } from './harness.ts';

const modes = await availableModes();

describe.each(modes)('conversation.send with a metric range (%s)', (mode) => {
  let app: TestApp;
  let me: Awaited<ReturnType<TestApp['signUp']>>;
  let stranger: Awaited<ReturnType<TestApp['signUp']>>;
  let agentId: string;
  let theirAgentId: string;
  const to = Date.now() - 60_000;
  const from = to - 30 * 60_000;

  beforeAll(async () => {
    app = await startTestApp(mode);
    me = await app.signUp('Ranger');
    stranger = await app.signUp('Stranger');
    agentId = await insertTestAgent(app.rt.orm.em.fork(), me.workspaceId, { name: 'checkout-bot' });
    theirAgentId = await insertTestAgent(app.rt.orm.em.fork(), stranger.workspaceId, { name: 'checkout-bot' });
    // Flat at 100 ms, then 900 ms for the last five minutes of the range.
    await insertTestSamples(app.rt.orm.em.fork(), me.workspaceId, Array.from({ length: 30 }, (_, i) => ({
      agentId, ts: from + i * 60_000 + 1000, latency_ms: i < 25 ? 100 : 900,
    })));
  });
  afterAll(() => app?.close());

  it('stores the range on the message; get and the live event carry it; the offline assistant describes that range', async () => {
    const api = app.client(me.token);
    const c = await api.conversation.create.mutate({ workspaceId: me.workspaceId });
    const ws = app.wsClient(me.token);
    const live = watchSubscription<{ id?: string; data?: ConversationEvent }>((o) =>
      ws.client.conversation.events.subscribe({ conversationId: c.id, lastEventId: String(c.lastSeq) }, o));
    const metricRef = { agentId, metric: 'latency_ms' as const, from, to };
    const clientMessageId = randomUUID();
    const sent = await api.conversation.send.mutate({ conversationId: c.id, content: 'Why did checkout-bot degrade?', clientMessageId, metricRef });
    expect(sent.message.metricRef).toEqual(metricRef);

    const reply = await vi.waitFor(async () => {
      const got = await api.conversation.get.query({ conversationId: c.id });
      expect(got.messages[1]?.status).toBe('complete');
      return got;
    }, { timeout: 20_000, interval: 100 });
    expect(reply.messages[0]!.metricRef).toEqual(metricRef);
    expect(reply.messages[1]!.metricRef).toBeNull();
    // Peak and when, average, the crossing: from exactly that agent, metric and range.
    const text = reply.messages[1]!.content;
    expect(text).toContain('**latency_ms** of **checkout-bot**');
    expect(text).toMatch(/Peak:\*\* 900 ms/);
    expect(text).toMatch(/Crossed above the average\*\* at \d\d:\d\d UTC/);
    expect(text).toContain(`${new Date(from + 25 * 60_000).toISOString().slice(11, 16)} UTC`);

    const events = () => live.data.flatMap((v) => (v.data ? [v.data] : []));
    await vi.waitFor(() => expect(events().some((e) => e.type === 'run.status' && e.status === 'completed')).toBe(true), { timeout: 10_000 });
    const created = events().filter((e): e is Extract<ConversationEvent, { type: 'message.created' }> => e.type === 'message.created');
    expect(created[0]!.message.metricRef).toEqual(metricRef);
    const tool = events().find((e): e is Extract<ConversationEvent, { type: 'tool.finished' }> => e.type === 'tool.finished')!;
    expect(tool.name).toBe('query_agent_metrics');
    expect(tool.args).toMatchObject({ agent: agentId, metric: 'latency_ms', from: new Date(from).toISOString(), to: new Date(to).toISOString() });
    live.unsubscribe();
    await ws.close();

    // A resend with the same id is the same message, range included; nothing new is stored.
    const again = await api.conversation.send.mutate({ conversationId: c.id, content: 'Why did checkout-bot degrade?', clientMessageId, metricRef });
    expect(again.message).toEqual(sent.message);
    expect(await sqlRows(app, 'select count(*)::int as n from messages where conversation_id = ?', [c.id])).toEqual([{ n: 2 }]);
  });

  it("refuses another workspace's agent as NOT_FOUND and a bad range as BAD_REQUEST, storing nothing", async () => {
    const api = app.client(me.token);
    const c = await api.conversation.create.mutate({ workspaceId: me.workspaceId });
    const send = (metricRef: { agentId: string; metric: 'latency_ms' | 'error_rate'; from: number; to: number }) =>
      api.conversation.send.mutate({ conversationId: c.id, content: 'What happened here?', clientMessageId: randomUUID(), metricRef });
    expect(await codeOf(send({ agentId: theirAgentId, metric: 'latency_ms', from, to }))).toBe('NOT_FOUND');
    expect(await codeOf(send({ agentId: randomUUID(), metric: 'latency_ms', from, to }))).toBe('NOT_FOUND');
    expect(await codeOf(send({ agentId, metric: 'latency_ms', from: to, to: from }))).toBe('BAD_REQUEST');
    expect(await codeOf(send({ agentId, metric: 'latency_ms', from: to - 32 * 86_400_000, to }))).toBe('BAD_REQUEST');
    expect(await codeOf(api.conversation.send.mutate({
      conversationId: c.id, content: 'x', clientMessageId: randomUUID(),
      metricRef: { agentId, metric: 'nonsense' as 'latency_ms', from, to },
    }))).toBe('BAD_REQUEST');
    expect(await sqlRows(app, 'select count(*)::int as n from messages where conversation_id = ?', [c.id])).toEqual([{ n: 0 }]);
  });

  it("marks the assistant's own runs on tandem-assistant, linking to their questions; other agents have none", async () => {
    const api = app.client(me.token);
    const c = await api.conversation.create.mutate({ workspaceId: me.workspaceId, title: 'Marker check' });
    const before = Date.now() - 1000;
    const { message } = await api.conversation.send.mutate({ conversationId: c.id, content: 'Which items are low on stock?', clientMessageId: randomUUID() });
    await vi.waitFor(async () => {
      const got = await api.conversation.get.query({ conversationId: c.id });
      expect(got.messages[1]?.status).toBe('complete');
    }, { timeout: 20_000, interval: 100 });
    const assistant = (await api.agent.list.query({ workspaceId: me.workspaceId })).find((a) => a.name === 'tandem-assistant')!;
    const range = { workspaceId: me.workspaceId, from: before, to: Date.now() + 1000 };
    const markers = await api.agent.runMarkers.query({ ...range, agentId: assistant.id });
    const mine = markers.find((m) => m.messageId === message.id)!;
    expect(mine).toMatchObject({ conversationId: c.id, title: 'Marker check: Which items are low on stock?' });
    expect(mine.at).toBeGreaterThanOrEqual(before);
    expect(markers.map((m) => m.at)).toEqual([...markers.map((m) => m.at)].sort((a, b) => a - b));
    // Outside the range: none. Another agent: none. Another workspace's agent, or this one seen from there: NOT_FOUND.
    expect(await api.agent.runMarkers.query({ ...range, from: before - 48 * 3_600_000, to: before - 47 * 3_600_000, agentId: assistant.id })).toEqual([]);
    expect(await api.agent.runMarkers.query({ ...range, agentId })).toEqual([]);
    expect(await codeOf(api.agent.runMarkers.query({ ...range, agentId: theirAgentId }))).toBe('NOT_FOUND');
    expect(await codeOf(app.client(stranger.token).agent.runMarkers.query({ ...range, workspaceId: stranger.workspaceId, agentId: assistant.id }))).toBe('NOT_FOUND');
    expect(await codeOf(api.agent.runMarkers.query({ ...range, from: range.to, to: range.from, agentId: assistant.id }))).toBe('BAD_REQUEST');
  });
});
