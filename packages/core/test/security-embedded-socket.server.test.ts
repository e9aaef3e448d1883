// Issue 11 item 9: embedded PGlite accepts any user and password, and used to listen on a loopback
// port open to every account on the machine; now only the account running Tandem can reach it.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/database/embedded.ts';

describe('security: the embedded database is not on the network', () => {
  it('security: embedded socket — PGlite listens on a Unix socket in a 0700 directory, not on a port', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tandem-socket-'));
    await mkdir(join(dataDir, 'run'), { mode: 0o755 }); // left wider by someone: tightened at start
    const embedded = await startEmbeddedPostgres(dataDir);
    try {
      const url = new URL(embedded.url);
      expect(decodeURIComponent(url.hostname)).toBe(embedded.socketDir);
      expect(embedded.socketDir.startsWith('/')).toBe(true);
      expect(embedded.url).not.toMatch(/127\.0\.0\.1|localhost|password|:postgres@/);
      expect((await stat(embedded.socketDir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(embedded.socketDir, '.s.PGSQL.5432'))).isSocket()).toBe(true);
      // The ordinary driver reaches it through the socket.
      const client = new pg.Client({ connectionString: embedded.url });
      await client.connect();
      expect((await client.query('select 41 + 1 as n')).rows).toEqual([{ n: 42 }]);
      await client.end();
    } finally {
      await embedded.stop();
    }
    await expect(stat(join(dataDir, 'run', '.s.PGSQL.5432'))).rejects.toMatchObject({ code: 'ENOENT' });
    await rm(dataDir, { recursive: true, force: true });
  });
});
