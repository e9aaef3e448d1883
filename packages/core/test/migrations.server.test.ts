// Several processes starting at once on a fresh database must migrate it exactly once.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { availableModes, createTestDatabase } from '../src/testing/modes.ts';
import { connectOrm, migrate } from '../src/database/orm.ts';
import { migrations } from '../src/migrations/index.ts';

const modes = await availableModes();

describe.runIf(modes.includes('services'))('migrations on PostgreSQL', () => {
  it('run once when three processes start together', async () => {
    const db = await createTestDatabase();
    const log = pino({ level: 'silent' });
    try {
      const orms = await Promise.all([1, 2, 3].map(() => connectOrm(db.url, log, 2)));
      const applied = await Promise.all(orms.map((orm) => migrate(orm, db.url)));
      expect(applied.flat().sort()).toEqual(migrations.map((m) => m.name).sort());
      const rows = await orms[0]!.em.fork().execute<{ name: string }[]>('select name from mikro_orm_migrations order by id');
      expect(rows.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
      await Promise.all(orms.map((o) => o.close(true)));
    } finally {
      await db.drop();
    }
  });
});
