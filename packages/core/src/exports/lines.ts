// Each export row as one line of text, formatted by PostgreSQL (so the worker only moves bytes),
// and the framing around the lines of each format.
import type { ExportFormat } from '@tandem/schema';
import type { Column, KindQuery } from './kinds.ts';

const isoTime = (sql: string) => `to_char((${sql}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A CSV cell (RFC 4180): text goes through export_csv_cell (the migration's SQL function), which
 * quotes what needs quoting and prefixes a cell starting with =, +, -, @, tab or CR with ' (OWASP).
 * Numbers, times and booleans are written as they are: a negative number stays a number.
 */
function csvCell(c: Column): string {
  switch (c.type) {
    case 'text':
      return `export_csv_cell((${c.sql})::text)`;
    case 'json':
      // JSON text always has quotes to double; quoted inline, since a SQL function whose argument
      // is a function call (jsonb_out) is not inlined and costs a call per cell.
      return `coalesce('"' || replace((${c.sql})::text, '"', '""') || '"', '')`;
    case 'time':
      return `coalesce(${isoTime(c.sql)}, '')`;
    default:
      return `coalesce((${c.sql})::text, '')`;
  }
}

/**
 * A JSON value's text. Built by concatenation rather than json_build_object, which converts every
 * value through its type's generic JSON output and took 2.4× as long over a million samples (the
 * NDJSON export's rate against COPY, bench export). Only text needs escaping (to_json); ids and
 * times are quoted as they are (no character to escape); a non-finite float (NaN, ±Infinity, which
 * JSON cannot carry) is written as null, like a missing value.
 */
function jsonValue(c: Column): string {
  switch (c.type) {
    case 'text':
      return `coalesce(to_json((${c.sql})::text)::text, 'null')`;
    case 'id':
      return `coalesce('"' || (${c.sql})::text || '"', 'null')`;
    case 'time':
      return `coalesce('"' || ${isoTime(c.sql)} || '"', 'null')`;
    case 'number':
      return `coalesce(case when abs(${c.sql}) < 'Infinity'::float8 then (${c.sql})::text end, 'null')`;
    default: // json (its text is JSON), bool (true / false)
      return `coalesce((${c.sql})::text, 'null')`;
  }
}

/** `"name":` as a SQL string literal: JSON-escaped, then SQL-quoted. */
const jsonKey = (name: string, first: boolean) => `'${first ? '{' : ','}${JSON.stringify(name).replace(/'/g, "''")}:'`;

/** The SQL expression of one row's line (without its line ending). */
export function lineSql(q: KindQuery, format: ExportFormat): string {
  if (format === 'csv') return q.columns.map(csvCell).join(` || ',' || `);
  return `${q.columns.map((c, i) => `${jsonKey(c.name, i === 0)} || ${jsonValue(c)}`).join(' || ')} || '}'`;
}

export interface Framing {
  /** Before the first row (CSV: the header). */
  head: string;
  /** Between two rows. */
  separator: string;
  /** After the last row, and what an export without rows ends with. */
  tail: (rows: number) => string;
}

export function framing(q: KindQuery, format: ExportFormat): Framing {
  if (format === 'csv') return { head: `${q.columns.map((c) => c.name).join(',')}\r\n`, separator: '\r\n', tail: (n) => (n ? '\r\n' : '') };
  if (format === 'ndjson') return { head: '', separator: '\n', tail: (n) => (n ? '\n' : '') };
  return { head: '[', separator: ',\n', tail: () => ']\n' };
}

export const contentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};
