// Issue 11 item 7: the webhook guard holds at connect time (no DNS rebinding, no internal address
// in any spelling) and a delivery record is no port-scan oracle. Mode-independent: first mode only.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableModes, createTestRuntime, type TestRuntime } from '../src/testing/index.ts';
import { createAlertRule, deliverWebhook, evaluateAlertRules, listAlertRules } from '../src/alerts/index.ts';
import { postWebhook } from '../src/alerts/webhook-request.ts';
import type { Resolve } from '../src/alerts/webhook-destination.ts';

const [mode] = await availableModes();

describe('security: webhook guard at connect time', () => {
  let rt: TestRuntime;
  let internal: Server; // a service inside the deployment, on loopback
  let internalPort: number;
  let requests = 0;
  const sql = <T = Record<string, unknown>>(q: string, params: unknown[] = []) => rt.orm.em.fork().getConnection().execute<T[]>(q, params);

  beforeAll(async () => {
    rt = await createTestRuntime(mode!);
    internal = createServer((_req, res) => void (requests++, res.end('internal secrets')));
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    internalPort = (internal.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => internal?.close(resolve));
    await rt?.close();
  });

  /** A workspace whose rule fired once, its webhook at `url`: the delivery target `{workspaceId, seq: 1}`. */
  async function firedEvent(url: string) {
    const workspaceId = randomUUID();
    const userId = randomUUID();
    const agentId = randomUUID();
    await sql(`insert into workspaces (id, name, created_at) values (?, 'Hooks', now())`, [workspaceId]);
    await sql(`insert into users (id, email, name, password_hash, created_at) values (?, ?, 'Admin', 'x', now())`, [userId, `${userId}@example.com`]);
    await sql(`insert into agents (id, workspace_id, name) values (?, ?, 'hooked')`, [agentId, workspaceId]);
    await createAlertRule(rt.orm.em.fork(), workspaceId, userId, { workspaceId, agentId, metric: 'latency_ms', agg: 'avg', op: '>', threshold: 100, windowMs: 300_000, webhookUrl: url });
    await sql(`insert into metric_samples (workspace_id, agent_id, ts, latency_ms) values (?, ?, now() - interval '1 second', 500)`, [workspaceId, agentId]);
    await evaluateAlertRules({ em: rt.orm.em.fork(), bus: rt.bus, queues: rt.queues, log: rt.log }, new Date());
    return { workspaceId, seq: 1 };
  }
  const shown = async (target: { workspaceId: string }) => {
    const [rule] = await listAlertRules(rt.orm.em.fork(), target.workspaceId, { showWebhookUrls: true });
    return rule!.lastDelivery?.error;
  };
  const pending = (target: { workspaceId: string }) => sql(`update alert_events set webhook_state = 'pending' where workspace_id = ?`, [target.workspaceId]);

  // A rebinding DNS server answered the check with a public address and the request with
  // 127.0.0.1; now the name is resolved once, by the connection, and a private answer is refused there.
  it('security: webhook rebinding — a name that answers public, then 127.0.0.1, never reaches the internal service', async () => {
    const before = requests;
    // The attacker's DNS: a public address for the first question, loopback for every later one.
    const asked: string[] = [];
    const rebinding: Resolve = async (host) => {
      asked.push(host);
      return [{ address: asked.length === 1 ? '203.0.113.10' : '127.0.0.1', family: 4 }];
    };
    const target = await firedEvent(`http://rebind.attacker.test:${internalPort}/hook`);
    const opts = { allowPrivate: false, resolve: rebinding, timeoutMs: 500 };
    // Attempt 1: the one answer is public, so that is where the connection goes (and fails here).
    await expect(deliverWebhook(rt.orm.em.fork(), target, { number: 1, final: false }, opts)).rejects.toThrow();
    expect(asked).toHaveLength(1); // no second resolution between a check and the request
    // Attempt 2: the answer is loopback, and the connection is refused at the lookup.
    await expect(deliverWebhook(rt.orm.em.fork(), target, { number: 2, final: true }, opts)).rejects.toThrow(/refused: .*127\.0\.0\.1, a private address/);
    expect(asked).toHaveLength(2);
    expect(requests).toBe(before);
    expect(await shown(target)).toBe('delivery failed (unreachable)');
  });

  it('security: webhook guard — NAT64, 6to4, Teredo and IPv4-compatible spellings of internal addresses are refused', async () => {
    const before = requests;
    for (const host of ['[64:ff9b::7f00:1]', '[64:ff9b::127.0.0.1]', '[64:ff9b:1::a9fe:a9fe]', '[2002:7f00:1::]', '[2001:0:4136:e378:8000:63bf:3fff:fdd2]', '[::7f00:1]', '[::ffff:127.0.0.1]']) {
      const answer = await postWebhook({ url: new URL(`http://${host}:${internalPort}/hook`), body: '{}', headers: {}, timeoutMs: 500, allowPrivate: false });
      expect(answer, host).toMatchObject({ kind: 'refused' });
    }
    // The same addresses behind a name.
    for (const address of ['64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1', '::ffff:169.254.169.254']) {
      const resolve: Resolve = async () => [{ address, family: 6 }];
      const answer = await postWebhook({ url: new URL(`http://metadata.attacker.test:${internalPort}/`), body: '{}', headers: {}, timeoutMs: 500, allowPrivate: false, resolve });
      expect(answer, address).toMatchObject({ kind: 'refused' });
    }
    expect(requests).toBe(before);
  });

  it('security: webhook oracle — a closed port, a silent port, an unknown name and a refused address all read "delivery failed (unreachable)"; an answer reads its status', async () => {
    const silent = createServer(() => undefined); // accepts, never answers
    const failing = createServer((_req, res) => void res.writeHead(500).end());
    await Promise.all([silent, failing].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
    const portOf = (s: Server) => (s.address() as { port: number }).port;
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const nowhere: Resolve = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    try {
      const cases = [
        { url: `http://127.0.0.1:${closedPort}/`, allowPrivate: true, detail: /ECONNREFUSED/ },
        { url: `http://127.0.0.1:${portOf(silent)}/`, allowPrivate: true, detail: /no answer within/ },
        { url: `http://internal-db.corp.test:${portOf(failing)}/`, allowPrivate: false, resolve: nowhere, detail: /ENOTFOUND/ },
        { url: `http://127.0.0.1:${portOf(failing)}/`, allowPrivate: false, detail: /private address/ },
      ];
      for (const c of cases) {
        const target = await firedEvent(c.url);
        // The worker's log gets the detail …
        await expect(deliverWebhook(rt.orm.em.fork(), target, { number: 1, final: false }, { allowPrivate: c.allowPrivate, resolve: c.resolve, timeoutMs: 300 }))
          .rejects.toThrow(c.detail);
        // … admins, no more than that it was unreachable.
        expect(await shown(target), c.url).toBe('delivery failed (unreachable)');
      }
      const answered = await firedEvent(`http://127.0.0.1:${portOf(failing)}/`);
      await expect(deliverWebhook(rt.orm.em.fork(), answered, { number: 1, final: false }, { allowPrivate: true, timeoutMs: 300 })).rejects.toThrow(/answered 500/);
      expect(await shown(answered)).toBe('delivery failed (status 500)');
      // Non-admins see no delivery at all.
      const [rule] = await listAlertRules(rt.orm.em.fork(), answered.workspaceId, { showWebhookUrls: false });
      expect(rule!.lastDelivery).toBeNull();
      await pending(answered);
    } finally {
      silent.closeAllConnections();
      await Promise.all([silent, failing].map((s) => new Promise((resolve) => s.close(resolve))));
    }
  });
});
