// MikroORM bootstrap shared by server and worker, in both runtime modes.
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
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

/** Applies committed migrations; never schema:update. */
export async function migrate(orm: Orm): Promise<string[]> {
  const done = await orm.getMigrator().up();
  return done.map((m) => m.name);
}
