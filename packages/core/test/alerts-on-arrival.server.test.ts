// Alert rules evaluated as samples arrive (alerts/on-arrival.ts), in both runtime modes: a
// committed batch fires and resolves with hysteresis kept, two evaluators (two servers) told the
// same arrivals many times make one event per crossing, a workspace-wide rule judges each agent on
// its own, and a rule made after the rules were cached is evaluated at the next arrival.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LivePoint } from '@tandem/schema';
import { availableModes, createTestRuntime, type TestRuntime } from '../src/testing/index.ts';
import { AlertsOnArrival, announceAlertRulesChanged, createAlertRule, readAlertEvents, type CreateAlertRuleInput } from '../src/alerts/index.ts';

const modes = await availableModes();

describe.each(modes)('alerts on arrival (%s)', (mode) => {
  let rt: TestRuntime;
  const evaluators: AlertsOnArrival[] = [];
  const sql = <T = Record<string, unknown>>(q: string, params: unknown[] = []) => rt.orm.em.fork().getConnection().execute<T[]>(q, params);
  /** An evaluator as one server has it (rules cached for an hour: only announcements refresh them). */
  const evaluator = () => {
    const e = new AlertsOnArrival({ orm: rt.orm, bus: rt.bus, queues: rt.queues, log: rt.log }, { rulesTtlMs: 3600_000 });
    evaluators.push(e);
    return e;
  };

  async function workspace(): Promise<{ workspaceId: string; userId: string }> {
    const workspaceId = randomUUID();
    const userId = randomUUID();
    await sql(`insert into workspaces (id, name, created_at) values (?, 'Arrivals', now())`, [workspaceId]);
    await sql(`insert into users (id, email, name, password_hash, created_at) values (?, ?, 'Admin', 'x', now())`, [userId, `${userId}@example.com`]);
    return { workspaceId, userId };
  }
  async function agent(workspaceId: string, name: string): Promise<string> {
    const id = randomUUID();
    await sql(`insert into agents (id, workspace_id, name) values (?, ?, ?)`, [id, workspaceId, name]);
    return id;
  }
  /** Commits latency samples a second ago, as ingestion would, and returns their live points. */
  async function commit(workspaceId: string, agentId: string, latencies: number[]): Promise<LivePoint[]> {
    const ts = Date.now() - 1000;
    await sql(
      `insert into metric_samples (workspace_id, agent_id, ts, latency_ms)
       select ?, ?, to_timestamp(?::float8 / 1000), v::float8 from jsonb_array_elements_text(?::jsonb) v`,
      [workspaceId, agentId, ts, JSON.stringify(latencies)],
    );
    return latencies.map((latency_ms) => ({ agentId, ts, values: { latency_ms } }));
  }
  const rule = (workspaceId: string, userId: string, r: Partial<CreateAlertRuleInput> & Pick<CreateAlertRuleInput, 'metric' | 'op' | 'threshold'>) =>
    createAlertRule(rt.orm.em.fork(), workspaceId, userId, { workspaceId, agg: 'avg', windowMs: 60_000, ...r });
  const log = async (workspaceId: string) => (await readAlertEvents(rt.orm.em.fork(), workspaceId, 0)).map((e) => [e.kind, e.agentName, e.value]);

  beforeAll(async () => {
    rt = await createTestRuntime(mode);
  });
  afterAll(async () => {
    await Promise.all(evaluators.map((e) => e.close()));
    await rt?.close();
  });

  it('fires when a breaching batch commits and resolves only past the hysteresis band', async () => {
    const { workspaceId, userId } = await workspace();
    const a = await agent(workspaceId, 'checkout-bot');
    await rule(workspaceId, userId, { agentId: a, metric: 'latency_ms', op: '>', threshold: 800 });
    const onArrival = evaluator();
    const step = async (latencies: number[]) => {
      onArrival.samplesCommitted(workspaceId, await commit(workspaceId, a, latencies));
      await onArrival.settled();
      return log(workspaceId);
    };
    expect(await step([500])).toEqual([]);
    expect(await step([1300])).toEqual([['fired', 'checkout-bot', 900]]); // avg 900
    expect(await step([500])).toEqual([['fired', 'checkout-bot', 900]]); // avg 766.7: under 800, not under 720
    expect(await step([100, 100])).toEqual([['fired', 'checkout-bot', 900], ['resolved', 'checkout-bot', 500]]);
    // A sample without the rule's metric cannot move it: nothing is evaluated, nothing changes.
    onArrival.samplesCommitted(workspaceId, [{ agentId: a, ts: Date.now(), values: { cpu_pct: 99 } }]);
    await onArrival.settled();
    expect(await log(workspaceId)).toHaveLength(2);
  });

  it('two servers told the same arrivals many times make one event per crossing', async () => {
    const { workspaceId, userId } = await workspace();
    const a = await agent(workspaceId, 'racer');
    await rule(workspaceId, userId, { agentId: a, metric: 'latency_ms', agg: 'max', op: '>', threshold: 800 });
    const [one, two] = [evaluator(), evaluator()];
    const points = await commit(workspaceId, a, [1000]);
    for (let i = 0; i < 50; i++) for (const e of [one, two]) e.samplesCommitted(workspaceId, points);
    await Promise.all([one.settled(), two.settled()]);
    expect(await log(workspaceId)).toEqual([['fired', 'racer', 1000]]);
  });

  it('a rule for every agent judges each agent on its own', async () => {
    const { workspaceId, userId } = await workspace();
    const [calm, busy] = [await agent(workspaceId, 'calm'), await agent(workspaceId, 'busy')];
    await rule(workspaceId, userId, { metric: 'latency_ms', op: '>', threshold: 800 });
    const onArrival = evaluator();
    onArrival.samplesCommitted(workspaceId, [...await commit(workspaceId, calm, [100]), ...await commit(workspaceId, busy, [2000])]);
    await onArrival.settled();
    expect(await log(workspaceId)).toEqual([['fired', 'busy', 2000]]);
  });

  it('a rule made after the rules were cached is evaluated at the next arrival', async () => {
    const { workspaceId, userId } = await workspace();
    const a = await agent(workspaceId, 'late-rule');
    const onArrival = evaluator();
    onArrival.samplesCommitted(workspaceId, await commit(workspaceId, a, [1000])); // caches "no rules"
    await onArrival.settled();
    await rule(workspaceId, userId, { agentId: a, metric: 'latency_ms', op: '>', threshold: 800 });
    await announceAlertRulesChanged(rt.bus, workspaceId);
    // The announcement travels over the bus (Redis in services mode): arrivals until it is heard.
    await vi.waitFor(async () => {
      onArrival.samplesCommitted(workspaceId, await commit(workspaceId, a, [1000]));
      await onArrival.settled();
      expect(await log(workspaceId)).toEqual([['fired', 'late-rule', 1000]]);
    }, { timeout: 5000, interval: 50 });
  });
});
