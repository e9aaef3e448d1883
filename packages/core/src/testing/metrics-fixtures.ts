// Test data for agent metrics written straight into the tables: workspaces, agents, raw samples
// and rollups (computed from the raw rows with SQL, the way the rollup job defines them).
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { METRIC_FIELDS, type MetricField } from '@tandem/schema';

export async function insertTestWorkspace(em: EntityManager, name = 'Test'): Promise<string> {
  const id = randomUUID();
  await em.execute('insert into workspaces (id, name, created_at) values (?, ?, now())', [id, name]);
  return id;
}

export interface TestAgent {
  name: string;
  model?: string | null;
  latencyMs?: number | null;
  errorRate?: number | null;
  downAfterMs?: number;
  lastSeenAt?: Date | null;
}

export async function insertTestAgent(em: EntityManager, workspaceId: string, a: TestAgent): Promise<string> {
  const id = randomUUID();
  await em.execute(
    `insert into agents (id, workspace_id, name, model, latency_threshold_ms, error_rate_threshold, down_after_ms, last_seen_at)
     values (?, ?, ?, ?, ?, ?, ?, ?)`,
    [id, workspaceId, a.name, a.model ?? null, a.latencyMs ?? null, a.errorRate ?? null, a.downAfterMs ?? 60_000, a.lastSeenAt?.toISOString() ?? null],
  );
  return id;
}

export type TestSample = { agentId: string; ts: number; labels?: Record<string, string> } & Partial<Record<MetricField, number>>;

const FIELD_TYPES: Record<MetricField, string> = {
  latency_ms: 'float8', tokens_in: 'int', tokens_out: 'int', cost_usd: 'float8', cpu_pct: 'real',
  gpu_pct: 'real', memory_mb: 'real', requests: 'int', errors: 'int',
};

export async function insertTestSamples(em: EntityManager, workspaceId: string, samples: TestSample[]): Promise<void> {
  for (let i = 0; i < samples.length; i += 5000) {
    await em.execute(
      `insert into metric_samples (workspace_id, agent_id, ts, ${METRIC_FIELDS.join(', ')}, labels)
       select ?::uuid, x."agentId", timestamptz 'epoch' + x.ts * interval '1 millisecond', ${METRIC_FIELDS.map((f) => `x.${f}`).join(', ')}, x.labels
         from jsonb_to_recordset(?::jsonb) as x("agentId" uuid, ts int8, ${METRIC_FIELDS.map((f) => `${f} ${FIELD_TYPES[f]}`).join(', ')}, labels jsonb)`,
      [workspaceId, JSON.stringify(samples.slice(i, i + 5000))],
    );
  }
}

/** Rolls raw samples of [from, to) up into `stepMs` rollups (replacing rows already there). */
export async function rollUpForTest(em: EntityManager, workspaceId: string, stepMs: 60_000 | 3_600_000, from: number, to: number): Promise<void> {
  const perField = METRIC_FIELDS.flatMap((f) => [`count(${f})`, `sum(${f})`, `min(${f})`, `max(${f})`]);
  const columns = METRIC_FIELDS.flatMap((f) => [`${f}_count`, `${f}_sum`, `${f}_min`, `${f}_max`]);
  await em.execute(
    `insert into metric_rollups (workspace_id, agent_id, step_ms, bucket, samples, ${columns.join(', ')}, latency_p50, latency_p95, latency_p99)
     select workspace_id, agent_id, ${stepMs},
            timestamptz 'epoch' + floor(extract(epoch from ts) * 1000 / ${stepMs}) * ${stepMs} * interval '1 millisecond',
            count(*), ${perField.join(', ')},
            percentile_cont(0.5) within group (order by latency_ms), percentile_cont(0.95) within group (order by latency_ms),
            percentile_cont(0.99) within group (order by latency_ms)
       from metric_samples where workspace_id = ? and ts >= ?::timestamptz and ts < ?::timestamptz
      group by workspace_id, agent_id, 4
     on conflict (agent_id, step_ms, bucket) do update set samples = excluded.samples,
       ${[...columns, 'latency_p50', 'latency_p95', 'latency_p99'].map((c) => `${c} = excluded.${c}`).join(', ')}`,
    [workspaceId, new Date(from).toISOString(), new Date(to).toISOString()],
  );
}

/** One rollup row written as given (for periods older than the raw partitions). */
export async function insertTestRollup(
  em: EntityManager, workspaceId: string, agentId: string, stepMs: 60_000 | 3_600_000, bucket: number, sums: Partial<Record<MetricField, number>>,
): Promise<void> {
  const fields = Object.keys(sums) as MetricField[];
  await em.execute(
    `insert into metric_rollups (workspace_id, agent_id, step_ms, bucket, samples${fields.map((f) => `, ${f}_count, ${f}_sum, ${f}_min, ${f}_max`).join('')})
     values (?, ?, ?, ?, 1${fields.map(() => ', 1, ?, ?, ?').join('')})`,
    [workspaceId, agentId, stepMs, new Date(bucket).toISOString(), ...fields.flatMap((f) => [sums[f], sums[f], sums[f]])],
  );
}
