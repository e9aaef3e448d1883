// Regression: pglite-socket interleaved the Parse/Bind/Execute/Sync messages of concurrent
// connections in PGlite's one session; each connection must get its own answer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/database/embedded.ts';

describe('embedded PostgreSQL (PGlite behind pglite-socket)', () => {
  let dir: string;
  let db: EmbeddedPostgres;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-pglite-'));
    db = await startEmbeddedPostgres(dir);
  });
  afterAll(async () => {
    await db?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  // The bug read "bind message supplies 3 parameters, but prepared statement requires 1".
  it('answers concurrent parameterised queries from many connections correctly', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 8 });
    pool.on('error', () => undefined);
    try {
      const inTransaction = async (i: number) => {
        const c = await pool.connect();
        try {
          await c.query('begin');
          const r = await c.query<{ v: string }>('select $1::text || $2::text || $3::text as v', ['a', String(i), 'z']);
          await c.query('commit');
          return r.rows[0]!.v === `a${i}z`;
        } finally {
          c.release();
        }
      };
      const queries = Array.from({ length: 200 }, (_, i) =>
        i % 3 === 0
          ? inTransaction(i)
          : i % 3 === 1
            ? pool.query<{ v: number }>('select $1::int * 2 as v', [i]).then((r) => r.rows[0]!.v === i * 2)
            : pool.query<{ v: string }>('select $1::text || $2::text || $3::text as v', ['a', String(i), 'z']).then((r) => r.rows[0]!.v === `a${i}z`),
      );
      expect((await Promise.all(queries)).every(Boolean)).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it('keeps transactions of different connections apart', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    pool.on('error', () => undefined);
    try {
      await pool.query('create table if not exists counter (id int primary key, n int not null)');
      await pool.query('insert into counter values (1, 0) on conflict (id) do update set n = 0');
      await Promise.all(Array.from({ length: 20 }, async () => {
        const c = await pool.connect();
        try {
          await c.query('begin');
          const { rows } = await c.query<{ n: number }>('select n from counter where id = $1 for update', [1]);
          await c.query('update counter set n = $1 where id = $2', [rows[0]!.n + 1, 1]);
          await c.query('commit');
        } finally {
          c.release();
        }
      }));
      expect((await pool.query<{ n: number }>('select n from counter where id = 1')).rows[0]!.n).toBe(20);
    } finally {
      await pool.end();
    }
  });
});
