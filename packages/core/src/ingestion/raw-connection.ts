// A connection of the ORM's pool for hot paths that run plain SQL, with parameters sent as they are
// (`$n`, extended protocol) and COPY … FROM STDIN.
import type { Orm } from '../database/orm.ts';

/**
 * Runs one statement on the lent connection. A `name` prepares it once per connection (parsed
 * and planned once, not on every call): for hot statements whose text never changes. Parameters
 * travel as they are: MikroORM's execute() formats every parameter into the SQL text (escaping a
 * whole batch of samples character by character).
 */
export type Query = <R = Record<string, unknown>>(sql: string, params?: unknown[], name?: string) => Promise<R[]>;

export interface RawConnection {
  query: Query;
  /** `COPY … FROM STDIN` with the data as given; resolves with the row count. Real PostgreSQL only (not PGlite). */
  copyFrom(sql: string, data: Buffer): Promise<number>;
  /** Runs `fn` between BEGIN and COMMIT, rolling back if it throws. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

interface PgProtocol {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

interface PgConnection {
  query(sql: string | object, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** 64 KiB CopyData messages, as pg-copy-streams sends them. */
const COPY_CHUNK = 65_536;

/**
 * The node-postgres Submittable protocol for one COPY FROM STDIN: node-postgres runs COPY for any
 * Submittable that answers CopyInResponse, so no extra package is needed.
 */
class CopyFromStdin {
  private rows = 0;
  constructor(
    private readonly text: string,
    private readonly data: Buffer,
    private readonly done: (err: unknown, rows: number) => void,
  ) {}
  submit(connection: PgProtocol) {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: PgProtocol) {
    for (let i = 0; i < this.data.length; i += COPY_CHUNK) connection.sendCopyFromChunk(this.data.subarray(i, i + COPY_CHUNK));
    connection.endCopyFrom();
  }
  handleCommandComplete(msg: { text?: string }) {
    this.rows = Number(/COPY (\d+)/.exec(msg.text ?? '')?.[1] ?? 0);
  }
  // After an ErrorResponse node-postgres drops the active query, so ReadyForQuery never reaches it.
  handleError(err: unknown) {
    this.done(err, 0);
  }
  handleReadyForQuery() {
    this.done(null, this.rows);
  }
  // Messages a COPY never gets; node-postgres calls them on any active query.
  handleRowDescription() {}
  handleDataRow() {}
  handleEmptyQuery() {}
  handlePortalSuspended() {}
  handleCopyData() {}
}

/** Lends a pooled connection to `fn`; a connection that broke is dropped by the pool's validation. */
export async function withConnection<T>(orm: Orm, fn: (conn: RawConnection) => Promise<T>): Promise<T> {
  const pool = orm.em.getConnection().getKnex().client as {
    acquireConnection(): Promise<PgConnection>;
    releaseConnection(c: PgConnection): Promise<void>;
  };
  const pg = await pool.acquireConnection();
  const query: Query = async <R>(sql: string, params: unknown[] = [], name?: string) =>
    (await (name ? pg.query({ name, text: sql, values: params }) : pg.query(sql, params))).rows as R[];
  const conn: RawConnection = {
    query,
    copyFrom: (sql, data) => new Promise((resolve, reject) => {
      void pg.query(new CopyFromStdin(sql, data, (err, rows) => (err ? reject(err) : resolve(rows))));
    }),
    async transaction(work) {
      await query('begin');
      try {
        const result = await work();
        await query('commit');
        return result;
      } catch (err) {
        await query('rollback').catch(() => undefined); // a broken connection is dropped by the pool
        throw err;
      }
    },
  };
  try {
    return await fn(conn);
  } finally {
    await pool.releaseConnection(pg);
  }
}
