import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import { codeOf, errorOf, startTestApp, type TestApp } from './harness.ts';

const modes = await availableModes();

describe.each(modes)('auth (%s)', (mode) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(mode);
  });
  afterAll(() => app?.close());

  it('registers, gives the user an admin workspace of their own, and logs in', async () => {
    const { token, user } = await app.client().auth.register.mutate({ email: ' Ada@Example.com ', password: 'correct horse', name: 'Ada' });
    expect(user.email).toBe('ada@example.com');
    const me = await app.client(token).auth.me.query();
    expect(me.user.id).toBe(user.id);
    expect(me.workspaces).toEqual([expect.objectContaining({ role: 'admin', name: "Ada's workspace" })]);
    const login = await app.client().auth.login.mutate({ email: 'ada@example.com', password: 'correct horse' });
    expect((await app.client(login.token).auth.me.query()).user.id).toBe(user.id);
  });

  it('refuses a second account with the same email (case-insensitive)', async () => {
    await app.client().auth.register.mutate({ email: 'dup@example.com', password: 'correct horse', name: 'D' });
    expect(await codeOf(app.client().auth.register.mutate({ email: 'DUP@example.com', password: 'correct horse', name: 'D' }))).toBe('CONFLICT');
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const { email } = await app.signUp('Wrong');
    const wrong = app.client().auth.login.mutate({ email, password: 'not the password' });
    await expect(wrong).rejects.toThrow('Invalid email or password');
    await expect(app.client().auth.login.mutate({ email: 'nobody@example.com', password: 'whatever1' })).rejects.toThrow('Invalid email or password');
  });

  it('reports validation problems per field', async () => {
    const err = await errorOf(app.client().auth.register.mutate({ email: 'not-an-email', password: 'short', name: '' }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(Object.keys(err.fieldErrors ?? {}).sort()).toEqual(['email', 'name', 'password']);
    expect(err.message).toContain('Password must be at least 8 characters');
  });

  it('refuses missing and garbage tokens', async () => {
    expect(await codeOf(app.client().auth.me.query())).toBe('UNAUTHORIZED');
    expect(await codeOf(app.client('garbage').auth.me.query())).toBe('UNAUTHORIZED');
  });

  it('logout revokes every token of the user, old ones included', async () => {
    const { token, email } = await app.signUp('Leaver');
    const second = (await app.client().auth.login.mutate({ email, password: 'correct horse' })).token;
    await app.client(token).auth.logout.mutate();
    expect(await codeOf(app.client(token).auth.me.query())).toBe('UNAUTHORIZED');
    expect(await codeOf(app.client(second).auth.me.query())).toBe('UNAUTHORIZED');
    const fresh = (await app.client().auth.login.mutate({ email, password: 'correct horse' })).token;
    expect((await app.client(fresh).auth.me.query()).user.email).toBe(email);
  });

  it('slows sign-in attempts per email and address with a retry time (security-sign-in.server.test.ts attacks it)', async () => {
    const { email } = await app.signUp('Target');
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) codes.push(await codeOf(app.client().auth.login.mutate({ email, password: 'bad password' })));
    expect(codes.every((c) => c === 'UNAUTHORIZED')).toBe(true);
    const err = await errorOf(app.client().auth.login.mutate({ email, password: 'correct horse' }));
    expect(err.code).toBe('TOO_MANY_REQUESTS');
    expect(err.retryAfterMs).toBeGreaterThan(0);
  });
});
