// A pool of its own for queries a user can shape, whose connections carry the short statement
// timeout: no per-query transaction to set it, and a flood of them cannot take the main pool.
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { logPoolErrors, ormOptions, type Orm } from './orm.ts';
import { USER_STATEMENT_TIMEOUT_MS } from './statement-timeouts.ts';

/** Connections for expensive user queries per server; the main pool keeps its 10 for the rest. */
const USER_QUERY_POOL_SIZE = 6;

export class UserQueryDatabase {
  private opening?: Promise<Orm>;

  /**
   * `databaseUrl` undefined: embedded PGlite, which has no statement timeout; user queries share
   * the main pool and the per-user work limits are their only bound.
   */
  constructor(
    private readonly main: Orm,
    private readonly databaseUrl: string | undefined,
    private readonly log?: Logger,
  ) {}

  /** A fresh entity manager whose statements stop after USER_STATEMENT_TIMEOUT_MS (57014). */
  async em(): Promise<EntityManager> {
    if (!this.databaseUrl) return this.main.em.fork();
    // Opened on first use: a server that never gets an expensive query never opens the pool.
    this.opening ??= MikroORM.init(ormOptions(this.databaseUrl, USER_QUERY_POOL_SIZE, USER_STATEMENT_TIMEOUT_MS))
      .then((orm) => logPoolErrors(orm, this.log));
    try {
      return (await this.opening).em.fork();
    } catch (err) {
      this.opening = undefined; // the next query tries again (the database may be back)
      throw err;
    }
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    await (await opening?.catch(() => undefined))?.close(true);
  }
}
