// What each export kind reads: its tables, columns, filters and keyset order, as SQL.
// Values are inlined as checked literals (COPY takes no parameters); see literal() below.
import { METRIC_FIELDS, type ExportKind } from '@tandem/schema';

/** How a column is written: text is quoted and neutralised in CSV; ids, numbers and times need neither. */
export type ColumnType = 'text' | 'id' | 'number' | 'time' | 'json' | 'bool';
export interface Column {
  name: string;
  sql: string;
  type: ColumnType;
}

export interface KindQuery {
  columns: Column[];
  /** FROM … JOIN …, with the WHERE conditions (ANDed). */
  from: string;
  where: string[];
  /** A unique order, walked by keyset pages where COPY is not available (PGlite): expression and type. */
  key: [sql: string, type: string][];
}

export interface KindFilter {
  workspaceId: string;
  from: Date | null;
  to: Date | null;
  agentIds: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid or instant as a SQL literal; anything else is refused (they come from validated rows). */
export function literal(v: string | Date): string {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new Error('invalid date');
    return `'${v.toISOString()}'::timestamptz`;
  }
  if (!UUID.test(v)) throw new Error(`not an id: ${v}`);
  return `'${v}'::uuid`;
}

const range = (column: string, f: KindFilter) => [
  ...(f.from ? [`${column} >= ${literal(f.from)}`] : []),
  ...(f.to ? [`${column} < ${literal(f.to)}`] : []),
];

const col = (name: string, sql: string, type: ColumnType): Column => ({ name, sql, type });

function conversations(f: KindFilter): KindQuery {
  return {
    columns: [
      col('id', 'c.id', 'id'), col('title', 'c.title', 'text'), col('created_by', 'c.created_by', 'id'),
      col('created_by_email', 'u.email', 'text'), col('messages', '(select count(*) from messages m where m.conversation_id = c.id)', 'number'),
      col('created_at', 'c.created_at', 'time'), col('last_activity_at', 'c.last_activity_at', 'time'), col('archived_at', 'c.archived_at', 'time'),
    ],
    from: 'conversations c left join users u on u.id = c.created_by',
    where: [`c.workspace_id = ${literal(f.workspaceId)}`, ...range('c.created_at', f)],
    key: [['c.created_at', 'timestamptz'], ['c.id', 'uuid']],
  };
}

function messages(f: KindFilter): KindQuery {
  return {
    columns: [
      col('id', 'm.id', 'id'), col('conversation_id', 'm.conversation_id', 'id'), col('conversation_title', 'c.title', 'text'),
      col('seq', 'm.seq', 'number'), col('role', 'm.role', 'text'), col('author_id', 'm.author_id', 'id'),
      col('author_email', 'u.email', 'text'), col('status', 'm.status', 'text'), col('content', 'm.content', 'text'),
      col('tokens', 'm.tokens', 'number'), col('cost_usd', 'm.cost_usd', 'number'), col('latency_ms', 'm.latency_ms', 'number'),
      col('created_at', 'm.created_at', 'time'),
    ],
    from: 'messages m join conversations c on c.id = m.conversation_id left join users u on u.id = m.author_id',
    where: [`c.workspace_id = ${literal(f.workspaceId)}`, ...range('m.created_at', f)],
    // The (conversation_id, seq) index serves each page.
    key: [['m.conversation_id', 'uuid'], ['m.seq', 'int4']],
  };
}

function metrics(f: KindFilter): KindQuery {
  return {
    columns: [
      col('ts', 's.ts', 'time'), col('agent_id', 's.agent_id', 'id'), col('agent', 'a.name', 'text'),
      ...METRIC_FIELDS.map((m) => col(m, `s.${m}`, 'number')), col('labels', 's.labels', 'json'),
    ],
    from: 'metric_samples s join agents a on a.id = s.agent_id',
    where: [
      `s.workspace_id = ${literal(f.workspaceId)}`, ...range('s.ts', f),
      ...(f.agentIds.length ? [`s.agent_id in (${f.agentIds.map(literal).join(', ')})`] : []),
    ],
    // Samples of one instant are in one daily partition, where ctid is unique.
    key: [['s.ts', 'timestamptz'], ['s.agent_id', 'uuid'], ['s.ctid', 'tid']],
  };
}

function audit(f: KindFilter): KindQuery {
  return {
    columns: [
      col('id', 'l.id', 'number'), col('created_at', 'l.created_at', 'time'), col('actor_id', 'l.actor_id', 'id'),
      col('actor_email', 'u.email', 'text'), col('action', 'l.action', 'text'), col('target_id', 'l.target_id', 'text'),
      col('data', 'l.data', 'json'),
    ],
    from: 'audit_log l left join users u on u.id = l.actor_id',
    where: [`l.workspace_id = ${literal(f.workspaceId)}`, ...range('l.created_at', f)],
    key: [['l.id', 'int8']],
  };
}

function tasks(f: KindFilter): KindQuery {
  return {
    columns: [
      col('id', 't.id', 'id'), col('title', 't.title', 'text'), col('notes', 't.notes', 'text'), col('owner_id', 't.owner_id', 'id'),
      col('owner_email', 'u.email', 'text'), col('due_at', 't.due_at', 'time'), col('completed', 't.completed', 'bool'),
      col('completed_at', 't.completed_at', 'time'), col('created_at', 't.created_at', 'time'), col('updated_at', 't.updated_at', 'time'),
    ],
    from: 'tasks t left join users u on u.id = t.owner_id',
    where: [`t.workspace_id = ${literal(f.workspaceId)}`, ...range('t.created_at', f)],
    key: [['t.created_at', 'timestamptz'], ['t.id', 'uuid']],
  };
}

export const kindQueries: Record<ExportKind, (f: KindFilter) => KindQuery> = { conversations, messages, metrics, audit, tasks };
