// DEMO=1: a demo workspace and its admin, whose password is printed once (stored hashed).
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from './entities/user.ts';
import { Membership } from './entities/workspace.ts';
import { registerUser } from './auth/accounts.ts';

export const DEMO_EMAIL = 'demo@tandem.local';

/** Creates the demo admin on first start; `login` is null when it already existed. */
export async function seedDemo(em: EntityManager): Promise<{ login: { email: string; password: string } | null; workspaceId: string }> {
  let login: { email: string; password: string } | null = null;
  let user = await em.findOne(User, { email: DEMO_EMAIL });
  if (!user) {
    const password = randomBytes(9).toString('base64url');
    user = await registerUser(em, { email: DEMO_EMAIL, password, name: 'Demo Admin' }, 'Demo workspace');
    login = { email: DEMO_EMAIL, password };
  }
  const first = await em.findOneOrFail(Membership, { user: user.id }, { orderBy: { createdAt: 'asc' } });
  return { login, workspaceId: first.workspace.id };
}
