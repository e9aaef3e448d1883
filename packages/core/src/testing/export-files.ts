// Reading export files back in tests: RFC 4180 CSV, JSON and NDJSON as rows.
import type { ExportFormat } from '@tandem/schema';

/** RFC 4180: fields split on commas outside quotes, "" inside quotes is one quote, records end in CRLF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') quoted = !quoted;
    else if (quoted) cell += ch;
    else if (ch === ',') endCell();
    else if (ch === '\r' && text[i + 1] === '\n') {
      endCell();
      rows.push(row);
      row = [];
      i++;
    } else cell += ch;
  }
  if (cell || row.length) {
    endCell();
    rows.push(row);
  }
  return rows;
}

/** Rows of any format as objects of strings (CSV) or values (JSON, NDJSON). */
export function parseExport(format: ExportFormat, text: string): Record<string, unknown>[] {
  if (format === 'json') return JSON.parse(text) as Record<string, unknown>[];
  if (format === 'ndjson') return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
}
