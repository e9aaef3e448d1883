// Embedded PostgreSQL: PGlite persisted under DATA_DIR, served on a Unix socket so that MikroORM,
// BullMQ and everything else use the ordinary `pg` driver, exactly as in services mode.
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { keepProtocolBatchesTogether } from './pglite-batches.ts';

export interface EmbeddedPostgres {
  url: string;
  /** The directory holding the socket (mode 0700). */
  socketDir: string;
  stop(): Promise<void>;
}

/** The file name libpq and node-postgres look for in a socket directory, for port 5432. */
const SOCKET_FILE = '.s.PGSQL.5432';
/** Unix socket paths are limited to about 104 bytes (macOS) or 108 (Linux). */
const MAX_SOCKET_PATH = 100;

/**
 * `DATA_DIR/run` (0700), or a fresh 0700 directory under the system's temp dir if that path is too long.
 * PGlite accepts any user and password, so the socket's directory is the lock: reachable only by
 * the account that runs Tandem (a loopback port would let anyone on the machine in).
 */
async function privateSocketDir(dataDir: string): Promise<{ dir: string; temporary: boolean }> {
  const dir = resolve(dataDir, 'run'); // absolute: node-postgres reads only a leading / as a socket directory
  if (join(dir, SOCKET_FILE).length <= MAX_SOCKET_PATH) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700); // it may exist from before with a wider mode
    return { dir, temporary: false };
  }
  return { dir: await mkdtemp(join(tmpdir(), 'tandem-pg-')), temporary: true };
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dir = join(dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  // Loaded only here: PGlite's WebAssembly costs a process about 45 MB of memory, which services
  // mode (and the worker running an export, bench export) should not pay.
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-socket')]);
  const db = await PGlite.create({ dataDir: dir });
  // PGlite is one session shared by every socket connection, and pglite-socket ignores the
  // startup packet's options: BullMQ's schema must be on this one session's search_path.
  await db.exec(`CREATE SCHEMA IF NOT EXISTS bullmq; SET search_path TO public, bullmq;`);
  const socket = await privateSocketDir(dataDir);
  const path = join(socket.dir, SOCKET_FILE);
  await rm(path, { force: true }); // left by a process that did not stop cleanly
  const server = new PGLiteSocketServer({ db, path, maxConnections: 64 });
  keepProtocolBatchesTogether(server);
  await server.start();
  // node-postgres (and so MikroORM and BullMQ) reads a host that is a directory as a Unix socket.
  const url = `postgres://postgres@${encodeURIComponent(socket.dir)}:5432/postgres?sslmode=disable`;
  return {
    url,
    socketDir: socket.dir,
    async stop() {
      await server.stop();
      await db.close();
      await rm(socket.temporary ? socket.dir : path, { recursive: true, force: true });
    },
  };
}
