// MikroORM bootstrap shared by server and worker, in both runtime modes.
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import pg from 'pg';
import type { Logger } from 'pino';
import { entities } from '../entities/index.ts';
import { migrations } from '../migrations/index.ts';
import { STATEMENT_TIMEOUT_MS } from './statement-timeouts.ts';

export type Orm = MikroORM;

export function ormOptions(clientUrl: string, poolMax = 10, statementTimeoutMs = STATEMENT_TIMEOUT_MS): Options {
  return {
    clientUrl,
    entities,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: true },
    migrations: {
      migrationsList: migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    pool: { min: 0, max: poolMax },
    // Sent in each connection's startup packet (user-queries.ts opens a pool with a shorter one).
    driverOptions: { connection: { statement_timeout: statementTimeoutMs } },
    allowGlobalContext: false,
    debug: false,
    ensureDatabase: false,
  };
}

export async function connectOrm(clientUrl: string, log?: Logger, poolMax?: number): Promise<Orm> {
  return logPoolErrors(await MikroORM.init(ormOptions(clientUrl, poolMax)), log);
}

/** node-postgres kills the process on an idle client error without an 'error' listener. */
export function logPoolErrors(orm: Orm, log?: Logger): Orm {
  const knex = orm.em.getConnection().getKnex();
  const pool = (knex.client as { pool?: { on(ev: string, fn: (...a: unknown[]) => void): void } }).pool;
  pool?.on('createSuccess', (_eventId: unknown, client: unknown) => {
    (client as { on?(ev: string, fn: (e: Error) => void): void }).on?.('error', (err: Error) =>
      log?.warn({ err }, 'database connection error'),
    );
  });
  return orm;
}

const MIGRATION_LOCK = 7_251_123; // any constant; names this app's migration advisory lock

/**
 * Applies committed migrations (never schema:update). Several servers and workers may start at
 * once: a session advisory lock on a connection of its own lets one migrate while the others wait.
 */
export async function migrate(orm: Orm, clientUrl: string): Promise<string[]> {
  const lock = new pg.Client({ connectionString: clientUrl });
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return (await migrateWithoutTimeout(orm)).map((m) => m.name);
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}

/**
 * All pending migrations in one transaction, without the pool's statement timeout: an index on a
 * large table may take longer, and only migrations wait on it. Where the session has no timeout
 * (PGlite ignores it) the migrator opens its own transaction: PGlite's single session could not
 * serve the migrator's other connection while this one held a transaction.
 */
async function migrateWithoutTimeout(orm: Orm) {
  const connection = orm.em.getConnection();
  const [current] = await connection.execute<{ statement_timeout: string }[]>('show statement_timeout');
  if (current?.statement_timeout === '0') return orm.getMigrator().up();
  return connection.transactional(async (trx) => {
    await connection.execute('set local statement_timeout = 0', [], 'run', trx);
    return orm.getMigrator().up({ transaction: trx });
  });
}

/** Error codes of a database that is down, restarting or unreachable (not of a bad query). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND',
  '57P01', '57P02', '57P03', // admin shutdown, crash shutdown, cannot connect now (starting up)
  '08000', '08001', '08003', '08004', '08006', // connection exceptions
]);
// node-postgres and knex report a lost connection without a code.
const UNAVAILABLE_MESSAGE = /Connection terminated|Connection ended unexpectedly|connection error|Timeout acquiring a connection/i;

/**
 * Whether an error means "the database is unavailable right now" (retry later) rather than
 * "this statement is wrong". A statement interrupted this way may or may not have committed.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
  }
  return false;
}

/**
 * Runs `fn`, and again with backoff while the database is unavailable, for at most `windowMs`
 * (then, or once `signal` aborts, the last error is thrown). Only for work that is safe to
 * repeat when an interrupted attempt may have committed.
 */
export async function retryWhileDatabaseUnavailable<T>(
  fn: () => Promise<T>,
  opts: { windowMs: number; signal?: AbortSignal; onRetry?: (err: unknown) => void },
): Promise<T> {
  const deadline = Date.now() + opts.windowMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await fn();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || opts.signal?.aborted || Date.now() + delay > deadline) throw err;
      opts.onRetry?.(err);
      const aborted = await sleep(delay, opts.signal);
      if (aborted) throw err;
    }
  }
}

/** Resolves after `ms`, or early (with true) when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (aborted: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(aborted);
    };
    const onAbort = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
