// First start with DEMO=1: a demo workspace and its admin, whose password is printed once.
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from './entities/user.ts';
import { registerUser } from './auth/accounts.ts';

export const DEMO_EMAIL = 'demo@tandem.local';

/** Returns the login to print, or null when the demo already exists. */
export async function seedDemo(em: EntityManager): Promise<{ email: string; password: string } | null> {
  if (await em.count(User, { email: DEMO_EMAIL })) return null;
  const password = randomBytes(9).toString('base64url');
  await registerUser(em, { email: DEMO_EMAIL, password, name: 'Demo Admin' }, 'Demo workspace');
  return { email: DEMO_EMAIL, password };
}
