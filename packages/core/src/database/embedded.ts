// Embedded PostgreSQL: PGlite persisted under DATA_DIR, served on a loopback port so that
// MikroORM, BullMQ and everything else use the ordinary `pg` driver, exactly as in services mode.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { keepProtocolBatchesTogether } from './pglite-batches.ts';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dir = join(dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create({ dataDir: dir });
  // PGlite is one session shared by every socket connection, and pglite-socket ignores the
  // startup packet's options: BullMQ's schema must be on this one session's search_path.
  await db.exec(`CREATE SCHEMA IF NOT EXISTS bullmq; SET search_path TO public, bullmq;`);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
  keepProtocolBatchesTogether(server);
  await server.start();
  const url = `postgres://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  return {
    url,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
