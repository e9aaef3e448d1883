// The entities of the agent-metrics tables state those tables as the migrations made them; and
// metric_samples (no entity) has exactly the columns and types metric-storage/metric-samples.ts says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_FIELDS } from '@tandem/schema';
import { availableModes, createTestRuntime, type TestRuntime } from '../src/testing/modes.ts';
import { METRIC_SAMPLE_COLUMNS, METRIC_SAMPLE_FIELD_TYPES } from '../src/metric-storage/metric-samples.ts';

const modes = await availableModes();
const TABLES = ['agents', 'ingest_keys', 'metric_rollups', 'metric_rollup_progress', 'metric_rollup_marks',
  'alert_rules', 'alert_states', 'alert_streams', 'alert_events', 'dashboard_prefs', 'tasks', 'access_tokens', 'tool_effects', 'invitations',
  'conversation_summaries'];

describe.each(modes)('agent-metrics tables (%s)', (mode) => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await createTestRuntime(mode);
  });
  afterAll(() => rt?.close());

  it('every table but metric_samples has an entity, and the schema diff changes none of them', async () => {
    const described = rt.orm.getMetadata().getAll();
    expect(TABLES.filter((t) => !Object.values(described).some((m) => m.tableName === t))).toEqual([]);
    const diff = await rt.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    const named = new RegExp(`"(${TABLES.join('|')})"|\\b(${TABLES.join('|')})_\\w+`);
    expect(diff.split('\n').filter((line) => named.test(line))).toEqual([]);
  });

  it('metric_samples has the columns and types of metric-samples.ts, in its order', async () => {
    const columns = await rt.orm.em.fork().execute<{ column_name: string; udt_name: string; is_nullable: string }[]>(
      `select column_name, udt_name, is_nullable from information_schema.columns
        where table_schema = 'public' and table_name = 'metric_samples' order by ordinal_position`);
    expect(columns.map((c) => c.column_name)).toEqual([...METRIC_SAMPLE_COLUMNS]);
    const types = Object.fromEntries(columns.map((c) => [c.column_name, c.udt_name]));
    for (const f of METRIC_FIELDS) expect(types[f], f).toBe(METRIC_SAMPLE_FIELD_TYPES[f]);
    expect(columns.filter((c) => c.is_nullable === 'NO').map((c) => c.column_name)).toEqual(['workspace_id', 'agent_id', 'ts']);
  });
});
