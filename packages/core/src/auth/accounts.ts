// Registration, login (rehashing weaker stored hashes), password changes and token revocation.
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { WORKSPACE_NAME_MAX, truncateText, type UserDto } from '@tandem/schema';
import { User, type IUser } from '../entities/user.ts';
import { AppError } from '../errors.ts';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './password.ts';
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
  const ok = await verifyPassword(password, user?.passwordHash ?? await dummyPasswordHash());
  if (!user || !ok) throw new AppError('UNAUTHORIZED', 'Invalid email or password');
  // The password is at hand only now: a hash made at an older, cheaper cost is replaced.
  if (needsRehash(user.passwordHash)) {
    const stale = user.passwordHash;
    const fresh = await hashPassword(password);
    // Only if unchanged meanwhile: a password change in between wins.
    await em.execute(`update users set password_hash = ? where id = ? and password_hash = ?`, [fresh, user.id, stale]);
  }
  return user;
}

/**
 * Checks the current password, stores the new one and bumps the token version (every session
 * ends); returns the new version, so the caller can be handed a fresh token.
 */
export async function changePassword(
  em: EntityManager, userId: string, input: { currentPassword: string; newPassword: string },
): Promise<number> {
  const user = await em.findOne(User, { id: userId });
  if (!user) throw new AppError('UNAUTHORIZED', 'Sign in first');
  // UNAUTHORIZED, so the sign-in limiter counts it as a failed guess (the router words it for the form).
  if (!(await verifyPassword(input.currentPassword, user.passwordHash)))
    throw new AppError('UNAUTHORIZED', 'The current password is wrong');
  const passwordHash = await hashPassword(input.newPassword);
  const rows = await em.execute<{ token_version: number }[]>(
    `update users set password_hash = ?, token_version = token_version + 1 where id = ? returning token_version`,
    [passwordHash, userId],
  );
  return rows[0]!.token_version;
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
