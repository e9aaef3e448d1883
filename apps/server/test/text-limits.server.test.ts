// Issue 14, "limits in one place": every text maximum of the inputs equals the size of the column it
// is stored in (information_schema), so schema and database cannot drift apart again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableModes, createTestRuntime, type TestRuntime } from '@tandem/core/testing';
import { aggregateSchema, alertOpSchema, ingestBodySchema, metricNameSchema } from '@tandem/schema';
import { walkInput, walkRouter, type TextField } from './input-schemas.ts';

// One mode is enough (the same migrations make both); services starts faster when it is there.
const modes = await availableModes();
const mode = modes.includes('services') ? 'services' : modes[0];

/**
 * Where each text input lands: `table.column` (every one listed must be as wide as the maximum),
 * or null when the value is not stored as it is (a secret, a cursor, a lookup, a time). Ids are
 * left out: they are uuids, checked by format.
 */
const STORED_IN: Record<string, string[] | null> = {
  'auth.register email': ['users.email'],
  'auth.register name': ['users.name'],
  'auth.register password': null, // hashed
  'auth.login email': null,
  'auth.login password': null,
  'workspace.create name': ['workspaces.name'],
  'auth.changePassword currentPassword': null,
  'auth.changePassword newPassword': null, // hashed
  'workspace.invite email': ['invitations.email'], // the admin's label
  'workspace.invitation token': null, // hashed, then looked up
  'workspace.acceptInvite token': null,
  'audit.list cursor': null,
  'audit.list action': null, // a filter (prefix of audit_log.action)
  'audit.list targetId': null, // a filter
  'export.schedule cron': ['export_schedules.cron'],
  'export.schedule timezone': ['export_schedules.timezone'],
  'export.schedule webhookUrl': ['export_schedules.webhook_url'],
  'task.create title': ['tasks.title'],
  'task.create notes': ['tasks.notes'],
  'task.create dueAt': null, // stored as a timestamp
  'task.update title': ['tasks.title'],
  'task.update notes': ['tasks.notes'],
  'task.update dueAt': null,
  'accessToken.create label': ['access_tokens.label'],
  'conversation.create title': ['conversations.title'],
  'conversation.list cursor': null,
  'conversation.rename title': ['conversations.title'],
  'conversation.send content': ['messages.content'],
  'conversation.send clientMessageId': ['messages.client_message_id'],
  'conversation.events lastEventId': null,
  'ingestKey.create label': ['ingest_keys.label'],
  'agent.update owner': ['agents.owner'],
  'agent.update model': ['agents.model'],
  'agent.update version': ['agents.version'],
  'agent.update tags[]': ['agents.tags'],
  'alert.createRule name': ['alert_rules.name', 'alert_events.rule_name'],
  'alert.createRule webhookUrl': ['alert_rules.webhook_url'],
  'alert.events lastEventId': null,
  'POST /api/v1/metrics agent': ['agents.name', 'alert_events.agent_name'],
  'POST /api/v1/metrics samples[].ts': null, // stored as a timestamp
  'POST /api/v1/metrics samples[].labels{key}': ['metric_samples.labels'],
  'POST /api/v1/metrics samples[].labels{}': ['metric_samples.labels'],
};

/** Sized columns no input is stored in as it is: written by the app itself (or demo data). */
const NOT_FROM_INPUT = [
  'agents.status_reason', 'alert_events.webhook_error', 'exports.webhook_error', 'audit_log.action', 'audit_log.target_id', 'conversation_events.type',
  'ingest_keys.key_hash', 'ingest_keys.prefix', 'invitations.token_hash', 'mikro_orm_migrations.name', 'products.category', 'products.name', 'products.sku',
  'runs.reason', 'users.password_hash', 'exports.error', 'exports.file_name', 'tool_effects.call_key', 'conversation_summaries.written_by',
  'access_tokens.prefix', 'access_tokens.token_hash',
];

/** Enum inputs stored in sized columns: their longest value must fit. */
const ENUM_COLUMNS: [string, readonly string[]][] = [
  ['alert_rules.metric', metricNameSchema.options],
  ['alert_rules.agg', aggregateSchema.options],
  ['alert_rules.op', alertOpSchema.options],
];

// The inputs are the router's and the ingestion body's; every sized column is accounted for.
describe(`text limits against column sizes (${mode})`, () => {
  let rt: TestRuntime;
  const columns = new Map<string, { type: string; max: number | null }>();
  const texts: TextField[] = [...walkRouter().texts, ...walkInput('POST /api/v1/metrics', ingestBodySchema).texts]
    .filter((t) => t.meta.field !== 'Id');

  beforeAll(async () => {
    rt = await createTestRuntime(mode!);
    const rows = await rt.orm.em.fork().getConnection().execute<{ name: string; type: string; max: number | null }[]>(
      `select c.table_name || '.' || c.column_name as name, c.data_type as type, c.character_maximum_length as max
         from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.table_name !~ '^metric_samples_[0-9]{8}$'`);
    for (const r of rows) columns.set(r.name, { type: r.type, max: r.max === null ? null : Number(r.max) });
  });
  afterAll(() => rt?.close());

  it('every text input is accounted for: stored in named columns, or not stored as it is', () => {
    const keys = texts.map((t) => `${t.procedure} ${t.path}`);
    expect(keys.filter((k) => !(k in STORED_IN)), 'text inputs missing from STORED_IN').toEqual([]);
    expect(Object.keys(STORED_IN).filter((k) => !keys.includes(k)), 'STORED_IN entries no input has any more').toEqual([]);
  });

  it('each maximum equals the size of every column it lands in (text and jsonb columns are unbounded)', () => {
    const mismatches: string[] = [];
    for (const t of texts) {
      for (const column of STORED_IN[`${t.procedure} ${t.path}`] ?? []) {
        const found = columns.get(column);
        if (!found) mismatches.push(`${t.procedure} ${t.path} → ${column}: no such column`);
        else if (found.max !== null && found.max !== t.meta.max)
          mismatches.push(`${t.procedure} ${t.path}: at most ${t.meta.max} characters, but ${column} is ${found.type}(${found.max})`);
        else if (found.max === null && !['text', 'jsonb'].includes(found.type))
          mismatches.push(`${t.procedure} ${t.path} → ${column}: ${found.type} is not a text column`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('every sized text column holds a text input of that size, an enum that fits, or nothing from input', () => {
    const fed = new Set(Object.values(STORED_IN).flat().filter((c): c is string => !!c));
    const enums = new Set(ENUM_COLUMNS.map(([c]) => c));
    const sized = [...columns].filter(([, c]) => c.max !== null).map(([name]) => name);
    expect(sized.filter((c) => !fed.has(c) && !enums.has(c) && !NOT_FROM_INPUT.includes(c)), 'sized columns nobody accounts for').toEqual([]);
    for (const [column, values] of ENUM_COLUMNS)
      expect(Math.max(...values.map((v) => v.length)), column).toBeLessThanOrEqual(columns.get(column)!.max!);
  });
});
