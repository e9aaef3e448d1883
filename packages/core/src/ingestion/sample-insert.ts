// How a batch of samples reaches metric_samples: COPY FROM STDIN on real PostgreSQL (the cheapest
// insert there), or one multi-row insert over unnest of column arrays (PGlite, no COPY).
import { METRIC_FIELDS } from '@tandem/schema';
import { METRIC_SAMPLE_COLUMNS, METRIC_SAMPLE_FIELD_TYPES } from '../metric-storage/metric-samples.ts';
import type { RawConnection } from './raw-connection.ts';
import { encodeSamplesBinary, type AgentIdOf, type SampleGroup } from './copy-binary.ts';
import { ROLLUP_MARK_OLDER_THAN_MS } from '../metric-storage/rollups.ts';

export type { AgentIdOf, SampleGroup };

const COLUMNS = METRIC_SAMPLE_COLUMNS.join(', ');

const MARK_HOURS = `insert into metric_rollup_marks (agent_id, hour)
    select distinct a, date_bin(interval '1 hour', timestamptz 'epoch' + t * interval '1 millisecond', timestamptz 'epoch')
    from unnest($1::uuid[], $2::int8[]) as m(a, t)
    on conflict do nothing`;

/** The unnest insert; `first` is the number of its first parameter. */
function unnestInsert(first: number): string {
  const types = ['uuid', 'uuid', 'int8', ...METRIC_FIELDS.map((f) => METRIC_SAMPLE_FIELD_TYPES[f]), 'jsonb'];
  return `insert into metric_samples (${COLUMNS})
  select w, a, timestamptz 'epoch' + t * interval '1 millisecond', ${METRIC_FIELDS.join(', ')}, l
  from unnest(${types.map((t, i) => `$${first + i}::${t}[]`).join(', ')}) as u(w, a, t, ${METRIC_FIELDS.join(', ')}, l)`;
}
const UNNEST_INSERT = unnestInsert(1);
/** Marks and samples in one statement: a data-modifying CTE runs with the insert, atomically. */
const UNNEST_INSERT_MARKING = `with late as (${MARK_HOURS}) ${unnestInsert(3)}`;
const COPY_SAMPLES = `copy metric_samples (${COLUMNS}) from stdin with (format binary)`;

/** A PostgreSQL array literal: one text parameter, without the driver's quoting of every element. */
const arrayLiteral = (values: (string | number | null)[]) => `{${values.map((v) => (v === null ? 'NULL' : v)).join(',')}}`;
const quotedElement = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

/**
 * Below this many rows the unnest insert wins even where COPY is available: it is one round trip,
 * COPY two (CopyInResponse, then the data), and the planning it saves is small.
 */
const COPY_MIN_ROWS = 100;

interface Late {
  agents: string[];
  ts: number[];
}

/**
 * Stores every sample of the groups, atomically. `copy`: COPY is available (real PostgreSQL;
 * PGlite's socket server does not speak it). `inTransaction`: the caller has opened one (so several
 * statements are atomic already). Samples too old for the rollup job's sliding window mark their
 * agent's hour in the same statement or transaction (metric-storage/rollups.ts).
 */
export async function writeSamples(
  conn: RawConnection,
  groups: SampleGroup[],
  agentIdOf: AgentIdOf,
  opts: { copy: boolean; inTransaction: boolean },
): Promise<void> {
  const markBefore = Date.now() - ROLLUP_MARK_OLDER_THAN_MS;
  const late: Late = { agents: [], ts: [] };
  let rows = 0;
  for (const g of groups) rows += g.samples.length;
  if (!opts.copy || rows < COPY_MIN_ROWS) {
    const columns = unnestColumns(groups, agentIdOf, markBefore, late);
    // Prepared once per connection on real PostgreSQL; PGlite serves every socket from one
    // session, where a second connection could not prepare the same name again.
    const name = (statement: string) => (opts.copy ? statement : undefined);
    if (!late.ts.length) await conn.query(UNNEST_INSERT, columns, name('tandem_insert_samples'));
    else await conn.query(UNNEST_INSERT_MARKING, [arrayLiteral(late.agents), arrayLiteral(late.ts), ...columns], name('tandem_insert_samples_marking'));
    return;
  }
  const data = encodeSamplesBinary(groups, agentIdOf);
  noteLate(groups, agentIdOf, markBefore, late);
  if (!late.ts.length) {
    await conn.copyFrom(COPY_SAMPLES, data);
    return;
  }
  const markAndCopy = async () => {
    await conn.query(MARK_HOURS, [arrayLiteral(late.agents), arrayLiteral(late.ts)]);
    await conn.copyFrom(COPY_SAMPLES, data);
  };
  await (opts.inTransaction ? markAndCopy() : conn.transaction(markAndCopy));
}

/** One array per column, in the order of unnestInsert's parameters; late samples noted in `late`. */
function unnestColumns(groups: SampleGroup[], agentIdOf: AgentIdOf, markBefore: number, late: Late): string[] {
  const workspaces: string[] = [];
  const agents: string[] = [];
  const ts: number[] = [];
  const fields = METRIC_FIELDS.map(() => [] as (number | null)[]);
  const labels: (string | null)[] = [];
  for (const g of groups) {
    for (const s of g.samples) {
      const agentId = agentIdOf(g.workspaceId, s.agent);
      workspaces.push(g.workspaceId);
      agents.push(agentId);
      ts.push(s.ts);
      for (let i = 0; i < METRIC_FIELDS.length; i++) fields[i]!.push(s[METRIC_FIELDS[i]!] ?? null);
      labels.push(s.labels ? quotedElement(JSON.stringify(s.labels)) : null);
      if (s.ts < markBefore) {
        late.agents.push(agentId);
        late.ts.push(s.ts);
      }
    }
  }
  return [arrayLiteral(workspaces), arrayLiteral(agents), arrayLiteral(ts), ...fields.map(arrayLiteral), arrayLiteral(labels)];
}

/** Notes the samples older than `markBefore` (their hours are marked for the rollup job). */
function noteLate(groups: SampleGroup[], agentIdOf: AgentIdOf, markBefore: number, late: Late): void {
  for (const g of groups) {
    for (const s of g.samples) {
      if (s.ts < markBefore) {
        late.agents.push(agentIdOf(g.workspaceId, s.agent));
        late.ts.push(s.ts);
      }
    }
  }
}
