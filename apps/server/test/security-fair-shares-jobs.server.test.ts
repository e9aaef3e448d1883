// Issue 11 items 5 and 6: fair shares of background work. A webhook receiver that never answers
// stalls neither upkeep nor other tenants' alerts; assistant questions are bounded per workspace
// and per deployment, not only per user.
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WEBHOOK_IN_FLIGHT_PER_WORKSPACE, appendAlertEvent, webhookJobId } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import { errorOf, inviteMember, sqlRows, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();

/** An HTTP receiver (an external peer) that reads each request and never answers it. */
async function tarpit() {
  const open = new Set<Socket>();
  const seen = { maxOpen: 0 };
  const held: IncomingMessage[] = []; // never answered
  const server: Server = createServer((req) => void held.push(req));
  server.on('connection', (s) => {
    open.add(s);
    seen.maxOpen = Math.max(seen.maxOpen, open.size);
    s.once('close', () => open.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    seen,
    get open() {
      return open.size;
    },
    close: () => new Promise<void>((r) => {
      for (const s of open) s.destroy();
      server.close(() => r());
    }),
  };
}

/** A receiver that answers 200 at once, recording the deliveries. */
async function prompt() {
  const received: string[] = [];
  const server = createServer((req, res) => {
    received.push(String(req.headers['x-tandem-delivery']));
    req.resume();
    res.writeHead(200).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.each(modes)('security: tarpit webhook does not stall rollups (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode, { WEBHOOK_ALLOW_PRIVATE: '1' }); // the receivers are on 127.0.0.1
  });
  afterAll(() => app?.close());

  /** `n` fired events of a rule with a webhook to `url`, each enqueued for delivery as evaluation does. */
  async function pendingDeliveries(workspaceId: string, adminToken: string, url: string, n: number): Promise<void> {
    const agentId = randomUUID();
    await sqlRows(app, 'insert into agents (id, workspace_id, name) values (?, ?, ?)', [agentId, workspaceId, 'hooked']);
    const rule = await app.client(adminToken).alert.createRule.mutate({ workspaceId, metric: 'errors', agg: 'sum', op: '>', threshold: 0, windowMs: 60_000, webhookUrl: url });
    for (let i = 0; i < n; i++) {
      const seq = await app.rt.orm.em.fork().transactional((tx) => appendAlertEvent(tx, {
        workspaceId, hasWebhook: true, ruleId: rule.id, ruleName: rule.name, agentId, agentName: 'hooked', kind: 'fired', value: 1, threshold: 0, at: new Date().toISOString(),
      }));
      await app.rt.queues.add('alerts.webhook', { workspaceId, seq }, { jobId: webhookJobId(workspaceId, seq) });
    }
  }

  // Before: deliveries ran on the maintenance queue (4 at a time per worker) with a 5 s timeout
  // each, so 20 deliveries to a receiver that never answers held every slot for 25 s, and rollups,
  // agent status and alert evaluation waited behind them for every tenant.
  it('security: tarpit webhook does not stall rollups — upkeep runs and another tenant is delivered while a tarpit holds its deliveries', async () => {
    const pit = await tarpit();
    const good = await prompt();
    try {
      const attacker = await app.signUp('Tarpit');
      const victim = await app.signUp('Victim');
      await pendingDeliveries(attacker.workspaceId, attacker.token, pit.url, 20);
      await vi.waitFor(() => expect(pit.open).toBe(WEBHOOK_IN_FLIGHT_PER_WORKSPACE), { timeout: 15_000 });

      // Upkeep jobs finish while the tarpit still holds its connections.
      for (const name of ['metrics.rollup', 'agents.status', 'alerts.evaluate'] as const) {
        const job = await app.rt.queues.add(name, {});
        await app.rt.queues.waitForResult(job, 15_000);
      }

      // Another tenant's webhook is delivered meanwhile: the tarpit holds only its workspace's slots.
      await pendingDeliveries(victim.workspaceId, victim.token, good.url, 1);
      await vi.waitFor(() => expect(good.received).toEqual([`${victim.workspaceId}:1`]), { timeout: 15_000 });
      // The receiver answers before the worker records it: the state follows shortly after.
      await vi.waitFor(async () => {
        const [delivered] = await sqlRows<{ webhook_state: string }>(app, 'select webhook_state from alert_events where workspace_id = ?', [victim.workspaceId]);
        expect(delivered!.webhook_state).toBe('delivered');
      }, { timeout: 10_000 });

      // Never more than the per-workspace cap at the tarpit at once, though 20 were due; all of
      // them are still waiting on it (so everything above ran while it stalled).
      expect(pit.seen.maxOpen).toBeLessThanOrEqual(WEBHOOK_IN_FLIGHT_PER_WORKSPACE);
      const stuck = await sqlRows<{ n: number }>(app, `select count(*)::int as n from alert_events where workspace_id = ? and webhook_state = 'pending'`, [attacker.workspaceId]);
      expect(stuck[0]!.n).toBe(20);
    } finally {
      await pit.close();
      await good.close();
    }
  }, 120_000);
});

describe.each(modes)('security: assistant workspace and deployment limits (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    // No workers: questions are counted when asked; nobody needs them answered here.
    app = await startTestApp(mode, { ASSISTANT_RATE_LIMIT_PER_HOUR: '3', ASSISTANT_WORKSPACE_LIMIT_PER_HOUR: '4', ASSISTANT_MAX_RUNS_PER_HOUR: '7' }, { workers: false });
  });
  afterAll(() => app?.close());

  const ask = async (token: string, workspaceId: string) => {
    const api = app.client(token);
    const c = await api.conversation.create.mutate({ workspaceId });
    return api.conversation.send.mutate({ conversationId: c.id, content: 'How much did we spend?', clientMessageId: randomUUID() });
  };

  // Before: only the per-user quota applied, so scripted accounts (sign-up is open) could each
  // ask their 50 an hour, in one workspace or in many, and drain the provider budget.
  it('security: assistant workspace and deployment limits — members together stop at the workspace limit, accounts together at the deployment ceiling', async () => {
    const owner = await app.signUp('Owner');
    const member = await app.signUp('Member');
    await inviteMember(app, owner.token, owner.workspaceId, member, 'member');

    for (let i = 0; i < 3; i++) await ask(owner.token, owner.workspaceId);
    await ask(member.token, owner.workspaceId);
    // The member is within their own 3 an hour, but the workspace has asked its 4.
    const workspaceFull = await errorOf(ask(member.token, owner.workspaceId));
    expect(workspaceFull.code).toBe('TOO_MANY_REQUESTS');
    expect(workspaceFull.message).toMatch(/This workspace has asked 4 questions this hour, its limit \(ASSISTANT_WORKSPACE_LIMIT_PER_HOUR\); try again in \d+ min \(at \d\d:\d\d UTC\)/);
    expect(workspaceFull.retryAfterMs).toBeGreaterThan(3_000_000);

    // Three more accounts, each in its own workspace: the deployment answers 7 an hour in all.
    const scripted = [await app.signUp('Script 1'), await app.signUp('Script 2'), await app.signUp('Script 3')];
    const outcomes = [];
    for (const s of scripted) outcomes.push(await ask(s.token, s.workspaceId).then(() => 'OK', (err: unknown) => err));
    expect(outcomes).toEqual(['OK', 'OK', 'OK']);
    const ceiling = await errorOf(ask(scripted[0]!.token, scripted[0]!.workspaceId));
    expect(ceiling.code).toBe('TOO_MANY_REQUESTS');
    expect(ceiling.message).toMatch(/answered 7 questions this hour across this deployment, its limit \(ASSISTANT_MAX_RUNS_PER_HOUR\); try again in \d+ min/);

    const [runs] = await sqlRows<{ n: number }>(app, 'select count(*)::int as n from runs');
    expect(runs!.n).toBe(7);
  });
});
