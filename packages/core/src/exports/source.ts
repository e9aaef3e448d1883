// The bytes of an export, streamed in constant memory: COPY (…) TO STDOUT on PostgreSQL, keyset
// pages on PGlite (its socket server speaks no COPY, and one long transaction would block it).
import { Readable } from 'node:stream';
import pg from 'pg';
import type { ExportFormat } from '@tandem/schema';
import type { Orm } from '../database/orm.ts';
import { withConnection } from '../ingestion/raw-connection.ts';
import type { KindQuery } from './kinds.ts';
import { framing, lineSql, type Framing } from './lines.ts';

/** Rows per keyset page. */
const PAGE_ROWS = 2000;

export interface SourceOptions {
  orm: Orm;
  /** Set on real PostgreSQL: COPY runs on a connection of its own (no statement timeout). */
  databaseUrl?: string;
  /** Rows written so far; the source counts them here. */
  counter: { rows: number };
}

export function exportSource(q: KindQuery, format: ExportFormat, opts: SourceOptions): Readable {
  const frame = framing(q, format);
  const line = lineSql(q, format);
  return opts.databaseUrl ? copySource(q, line, frame, opts.databaseUrl, opts.counter) : Readable.from(pages(q, line, frame, opts));
}

const orderBy = (q: KindQuery) => q.key.map(([k]) => k).join(', ');

async function* pages(q: KindQuery, line: string, frame: Framing, { orm, counter }: SourceOptions): AsyncGenerator<Buffer> {
  const keys = q.key.map(([k], i) => `(${k})::text as k${i}`).join(', ');
  const after = `(${q.key.map(([k]) => k).join(', ')}) > (${q.key.map(([, type], i) => `$${i + 1}::${type}`).join(', ')})`;
  const base = `select ${keys}, ${line} as line from ${q.from} where `;
  const tail = ` order by ${orderBy(q)} limit ${PAGE_ROWS}`;
  let last: string[] | null = null;
  let out = frame.head;
  for (;;) {
    const sql: string = base + (last ? [...q.where, after] : q.where).join(' and ') + tail;
    const rows: Record<string, string>[] = await withConnection(orm, (c) => c.query<Record<string, string>>(sql, last ?? []));
    for (const r of rows) {
      out += (counter.rows++ ? frame.separator : '') + r.line;
    }
    if (rows.length < PAGE_ROWS) break;
    const end: Record<string, string> = rows[rows.length - 1]!;
    last = q.key.map((_, i) => end[`k${i}`]!);
    yield Buffer.from(out);
    out = '';
  }
  yield Buffer.from(out + frame.tail(counter.rows));
}

interface PgProtocol {
  query(text: string): void;
  stream: { pause(): void; resume(): void; destroy(): void };
}

/** 11-byte signature, 4 bytes of flags, 4 bytes of header-extension length (PostgreSQL docs, COPY). */
const BINARY_HEADER = 19;
/** Bytes gathered before they are handed on (one file write each). */
const OUT_CHUNK = 256 * 1024;
/**
 * Bytes the source may hold before the socket is paused. With the default (16 KB) every chunk
 * paused PostgreSQL until the file had taken it, so the database and the file took turns
 * (bench export); a few chunks in flight let both work at once, at a fixed few MB.
 */
export const EXPORT_BUFFER_BYTES = 4 * OUT_CHUNK;

/**
 * COPY (SELECT line …) TO STDOUT in binary format: one text field per tuple, so every row's bytes
 * arrive as they are (text COPY would escape backslashes) and rows are counted exactly. The socket
 * is paused while the file falls behind (backpressure), as pg-copy-streams does.
 */
function copySource(q: KindQuery, line: string, frame: Framing, databaseUrl: string, counter: { rows: number }): Readable {
  const sql = `copy (select ${line} from ${q.from} where ${q.where.join(' and ')} order by ${orderBy(q)}) to stdout (format binary)`;
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined); // reported through the query
  let connection: PgProtocol | null = null;
  let pending: Buffer | null = null;
  let headerDone = false;
  const sepBuf = Buffer.from(frame.separator);

  const readable = new Readable({
    highWaterMark: EXPORT_BUFFER_BYTES,
    read() {
      connection?.stream.resume();
    },
    destroy(err, cb) {
      connection?.stream.destroy();
      void client.end().catch(() => undefined);
      cb(err);
    },
  });

  // PostgreSQL sends one CopyData message per row: rows are copied straight into chunks of
  // OUT_CHUNK bytes, so the file gets few large writes instead of a million small ones, and no
  // buffer is allocated per row (a million of them grew the worker's heap, bench export).
  let out = Buffer.allocUnsafe(OUT_CHUNK);
  let outBytes = 0;
  const flush = () => {
    if (!outBytes) return;
    const chunk = out.subarray(0, outBytes);
    out = Buffer.allocUnsafe(OUT_CHUNK);
    outBytes = 0;
    if (!readable.push(chunk)) connection?.stream.pause();
  };
  /** Copies `src[start, end)` into the chunk (pg may reuse `src`'s memory once the handler returns). */
  const keep = (src: Buffer, start = 0, end = src.length) => {
    const n = end - start;
    if (outBytes + n > out.length) {
      flush();
      if (n > out.length) out = Buffer.allocUnsafe(n);
    }
    src.copy(out, outBytes, start, end);
    outBytes += n;
  };

  const parse = (chunk: Buffer) => {
    const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    let pos = 0;
    if (!headerDone) {
      if (buf.length < BINARY_HEADER) {
        pending = Buffer.from(buf);
        return;
      }
      pos = BINARY_HEADER + buf.readInt32BE(15);
      headerDone = true;
    }
    while (buf.length - pos >= 2) {
      const fields = buf.readInt16BE(pos);
      if (fields === -1) {
        pos = buf.length;
        break;
      }
      if (buf.length - pos < 6) break;
      const len = Math.max(0, buf.readInt32BE(pos + 2));
      if (buf.length - pos < 6 + len) break;
      if (counter.rows++) keep(sepBuf);
      keep(buf, pos + 6, pos + 6 + len);
      pos += 6 + len;
    }
    pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : null;
  };

  const copy = {
    submit(conn: PgProtocol) {
      connection = conn;
      conn.query(sql);
    },
    handleCopyData(msg: { chunk: Buffer }) {
      parse(msg.chunk);
    },
    handleError(err: Error) {
      readable.destroy(err);
    },
    handleReadyForQuery() {
      if (readable.destroyed) return;
      keep(Buffer.from(frame.tail(counter.rows)));
      flush();
      readable.push(null);
      void client.end().catch(() => undefined);
    },
    handleCommandComplete() {},
    handleRowDescription() {},
    handleDataRow() {},
    handleEmptyQuery() {},
    handlePortalSuspended() {},
    handleCopyInResponse() {},
  };

  readable.push(Buffer.from(frame.head));
  client
    .connect()
    .then(async () => {
      await client.query('set statement_timeout = 0');
      void client.query(copy as never);
    })
    .catch((err: Error) => readable.destroy(err));
  return readable;
}
