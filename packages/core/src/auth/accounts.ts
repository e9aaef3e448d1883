// Registration, login and token revocation.
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { WORKSPACE_NAME_MAX, truncateText, type UserDto } from '@tandem/schema';
import { User, type IUser } from '../entities/user.ts';
import { AppError } from '../errors.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password.ts';
import { createWorkspace } from '../workspaces/workspaces.ts';

export const toUserDto = (u: IUser): UserDto => ({ id: u.id, email: u.email, name: u.name });

/** "<name>'s workspace", the name cut (at a character boundary) so the whole fits its column. */
export function defaultWorkspaceName(userName: string): string {
  const suffix = "'s workspace";
  return `${truncateText(userName, WORKSPACE_NAME_MAX - suffix.length)}${suffix}`;
}

/**
 * The user, their first workspace, its admin membership and the audit entry, in one transaction:
 * a refusal of any of them leaves no account behind.
 */
export async function registerUser(
  em: EntityManager, input: { email: string; password: string; name: string }, workspaceName?: string,
): Promise<IUser> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await em.transactional(async (tx) => {
      const user = tx.create(User, { email: input.email, name: input.name, passwordHash });
      await tx.flush();
      await createWorkspace(tx, user.id, workspaceName ?? defaultWorkspaceName(input.name));
      return user;
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException)
      throw new AppError('CONFLICT', 'An account with that email already exists', { field: 'email' });
    throw err;
  }
}

export async function authenticate(em: EntityManager, email: string, password: string): Promise<IUser> {
  const user = await em.findOne(User, { email });
  // Always run scrypt, so a missing account costs the same time as a wrong password.
  const ok = await verifyPassword(password, user?.passwordHash ?? dummyPasswordHash);
  if (!user || !ok) throw new AppError('UNAUTHORIZED', 'Invalid email or password');
  return user;
}

/** Revokes every token of the user (logout everywhere) by bumping the token version. */
export async function revokeTokens(em: EntityManager, userId: string): Promise<number> {
  const rows = await em.execute<{ token_version: number }[]>(
    `update users set token_version = token_version + 1 where id = ? returning token_version`,
    [userId],
  );
  return rows[0]?.token_version ?? 0;
}

export async function findUser(em: EntityManager, userId: string): Promise<IUser | null> {
  return em.findOne(User, { id: userId });
}
