// Issue 11 item 8: passwords hashed at OWASP's scrypt cost and rehashed at login when weaker, and
// auth.changePassword, which ends every other session (sockets too) and keeps the caller's.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLIENT_LIMITS, DEFAULT_SCRYPT_LOG2_N, setScryptCost } from '@tandem/core';
import { TEST_SCRYPT_LOG2_N, availableModes } from '@tandem/core/testing';
import { codeOf, errorOf, sqlRows, startTestApp, watchSubscription, type TestApp } from './harness.ts';

const modes = await availableModes();
const PASSWORD = 'correct horse';

const storedN = async (app: TestApp, userId: string) => {
  const [row] = await sqlRows<{ password_hash: string }>(app, 'select password_hash from users where id = ?', [userId]);
  return Number(row!.password_hash.split('$')[1]);
};

describe.each(modes)('security: passwords (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode, {}, { workers: false });
  });
  afterAll(() => app?.close());

  it('security: scrypt cost and rehash', async () => {
    // Deployed: OWASP's N=2^17, r=8, p=1 (the test runtime lowers it only for speed).
    expect(DEFAULT_SCRYPT_LOG2_N).toBe(17);
    expect(TEST_SCRYPT_LOG2_N).toBeLessThan(DEFAULT_SCRYPT_LOG2_N);
    const user = await app.signUp('Old hash');
    expect(await storedN(app, user.userId)).toBe(2 ** 14);
    try {
      setScryptCost(DEFAULT_SCRYPT_LOG2_N);
      // A wrong password changes nothing; the right one signs in with the old hash, which is then replaced.
      expect(await codeOf(app.client().auth.login.mutate({ email: user.email, password: 'wrong horse' }))).toBe('UNAUTHORIZED');
      expect(await storedN(app, user.userId)).toBe(2 ** 14);
      expect(await codeOf(app.client().auth.login.mutate({ email: user.email, password: PASSWORD }))).toBe('OK');
      const [row] = await sqlRows<{ password_hash: string }>(app, 'select password_hash from users where id = ?', [user.userId]);
      expect(row!.password_hash).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
      // The new hash verifies.
      expect(await codeOf(app.client().auth.login.mutate({ email: user.email, password: PASSWORD }))).toBe('OK');
    } finally {
      setScryptCost(TEST_SCRYPT_LOG2_N);
    }
  });

  it('security: password change ends other sessions', async () => {
    const user = await app.signUp('Changer');
    const other = (await app.client().auth.login.mutate({ email: user.email, password: PASSWORD })).token;
    // The other session has a socket open with a live subscription on it.
    const socket = app.wsClient(other);
    const probe = watchSubscription((o) => socket.client.workspace.events.subscribe({ workspaceId: user.workspaceId }, o));
    await vi.waitFor(() => expect(probe.started).toBe(true), { timeout: 10_000, interval: 20 });

    const changed = await app.client(user.token).auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: 'battery staple' });
    expect(changed.user.id).toBe(user.userId);

    // The caller goes on with the fresh token; every token issued before is refused.
    expect((await app.client(changed.token).auth.me.query()).user.id).toBe(user.userId);
    expect(await codeOf(app.client(user.token).auth.me.query())).toBe('UNAUTHORIZED');
    expect(await codeOf(app.client(other).auth.me.query())).toBe('UNAUTHORIZED');
    // The other session's socket: its subscription ends, and nothing more is served on it.
    await vi.waitFor(() => expect(probe.error?.code).toBe('UNAUTHORIZED'), { timeout: 10_000, interval: 20 });
    expect(await codeOf(socket.client.auth.me.query())).toBe('UNAUTHORIZED');
    await socket.close();

    // The old password is gone, the new one signs in.
    expect(await codeOf(app.client().auth.login.mutate({ email: user.email, password: PASSWORD }))).toBe('UNAUTHORIZED');
    expect(await codeOf(app.client().auth.login.mutate({ email: user.email, password: 'battery staple' }))).toBe('OK');
    // Audited in the account's workspace, by the account, without either password.
    const audit = await sqlRows<{ actor_id: string; data: unknown }>(app,
      `select actor_id, data from audit_log where workspace_id = ? and action = 'auth.passwordChanged'`, [user.workspaceId]);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).toBe(user.userId);
    expect(JSON.stringify(audit[0]!.data)).not.toMatch(/battery|staple/);
  });

  it('refuses a wrong current password and a weak new one with field errors, changing nothing', async () => {
    const user = await app.signUp('Careful');
    const [before] = await sqlRows(app, 'select password_hash, token_version from users where id = ?', [user.userId]);
    const wrong = await errorOf(app.client(user.token).auth.changePassword.mutate({ currentPassword: 'not it at all', newPassword: 'battery staple' }));
    expect(wrong.code).toBe('BAD_REQUEST');
    expect(wrong.fieldErrors?.currentPassword).toEqual(['The current password is wrong']);
    const weak = await errorOf(app.client(user.token).auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: 'short' }));
    expect(weak.code).toBe('BAD_REQUEST');
    expect(weak.fieldErrors?.newPassword?.[0]).toMatch(/New password/);
    expect(await sqlRows(app, 'select password_hash, token_version from users where id = ?', [user.userId])).toEqual([before]);
    // The session still works: a wrong guess is not a sign-out.
    expect(await codeOf(app.client(user.token).auth.me.query())).toBe('OK');
  });

  it('guesses of the current password are slowed down like failed sign-ins', async () => {
    const user = await app.signUp('Guessed');
    const guess = () => codeOf(app.client(user.token).auth.changePassword.mutate({ currentPassword: 'a wrong guess', newPassword: 'battery staple' }));
    const codes: string[] = [];
    for (let i = 0; i < CLIENT_LIMITS.freeSignInFailures + 2; i++) codes.push(await guess());
    expect(codes.slice(0, CLIENT_LIMITS.freeSignInFailures)).toEqual(Array(CLIENT_LIMITS.freeSignInFailures).fill('BAD_REQUEST'));
    expect(codes).toContain('TOO_MANY_REQUESTS');
  });
});
