// MikroORM bootstrap shared by server and worker, in both runtime modes.
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import pg from 'pg';
import type { Logger } from 'pino';
import { entities } from '../entities/index.ts';
import { migrations } from '../migrations/index.ts';

export type Orm = MikroORM;

export function ormOptions(clientUrl: string, poolMax = 10): Options {
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
    allowGlobalContext: false,
    debug: false,
    ensureDatabase: false,
  };
}

export async function connectOrm(clientUrl: string, log?: Logger, poolMax?: number): Promise<Orm> {
  const orm = await MikroORM.init(ormOptions(clientUrl, poolMax));
  // node-postgres kills the process on an idle client error without an 'error' listener.
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
    const done = await orm.getMigrator().up();
    return done.map((m) => m.name);
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}
