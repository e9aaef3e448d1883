// docs/reliability.md §16: forged, stale and malformed tokens are refused over HTTP and WebSocket.
// Every negative differs from a control token (which must work) in one respect only.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHmac, generateKeyPairSync, randomUUID, sign as rsaSign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { availableModes } from '@tandem/core/testing';
import { codeOf, errorOf, startTestApp, watchSubscription, type TestApp } from './harness.ts';

const modes = await availableModes();

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

interface Craft {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** Claim names to leave out of the defaults. */
  omit?: string[];
  /** 'sha256' (HS256, the right one), 'sha512', or 'none' (no signature). */
  hmac?: 'sha256' | 'sha512' | 'none';
  secret?: string;
  tamper?: (signature: string) => string;
}

describe.each(modes)('JWT negatives (%s)', (mode) => {
  let app: TestApp;
  let secret: string;
  let user: Awaited<ReturnType<TestApp['signUp']>>;

  /** A JWT built by hand, so header and signature can be anything. Defaults equal a valid token. */
  function craft(o: Craft = {}): string {
    const header = { alg: 'HS256', typ: 'JWT', ...o.header };
    const claims: Record<string, unknown> = {
      sub: user.userId, ver: 0, typ: 'user', iss: 'tandem', aud: 'tandem-api', iat: now(), exp: now() + 3600, ...o.claims,
    };
    for (const k of o.omit ?? []) delete claims[k];
    const input = `${b64(header)}.${b64(claims)}`;
    const alg = o.hmac ?? 'sha256';
    let sig = alg === 'none' ? '' : createHmac(alg, o.secret ?? secret).update(input).digest('base64url');
    if (o.tamper) sig = o.tamper(sig);
    return `${input}.${sig}`;
  }

  const me = (token: string) => app.client(token).auth.me.query();

  beforeAll(async () => {
    app = await startTestApp(mode);
    // The secret generated once into DATA_DIR (docs/api.md: JWT_SECRET defaults to a generated one).
    secret = (await readFile(join(app.rt.dataDir, 'jwt-secret'), 'utf8')).trim();
    user = await app.signUp('Jot');
  });
  afterAll(() => app?.close());

  it('control: a hand-made token with the right key and claims works, as does one signed with jose', async () => {
    expect((await me(craft())).user.id).toBe(user.userId);
    const viaJose = await new SignJWT({ ver: 0, typ: 'user' })
      .setProtectedHeader({ alg: 'HS256' }).setSubject(user.userId).setIssuer('tandem').setAudience('tandem-api')
      .setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(secret));
    expect((await me(viaJose)).user.id).toBe(user.userId);
  });

  const negatives: [string, () => string][] = [
    ['alg none, unsigned', () => craft({ header: { alg: 'none' }, hmac: 'none' })],
    ['alg "None" spelled otherwise, unsigned', () => craft({ header: { alg: 'None' }, hmac: 'none' })],
    ['HS256 header without a signature', () => craft({ hmac: 'none' })],
    ['HS512 signed with the right secret (wrong algorithm)', () => craft({ header: { alg: 'HS512' }, hmac: 'sha512' })],
    ['HS384 header over an HS256 signature', () => craft({ header: { alg: 'HS384' } })],
    ['RS256 header with an HMAC signature (key confusion)', () => craft({ header: { alg: 'RS256' } })],
    ['signed with another secret', () => craft({ secret: 'y'.repeat(48) })],
    ['signature bytes altered', () => craft({ tamper: (s) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1) })],
    ['signature truncated', () => craft({ tamper: (s) => s.slice(0, -4) })],
    ['claims changed after signing', () => {
      const [h, , s] = craft().split('.');
      return `${h}.${b64({ sub: user.userId, ver: 0, typ: 'user', iss: 'tandem', aud: 'tandem-api', exp: now() + 999_999 })}.${s}`;
    }],
    ['expired (exp in the past)', () => craft({ claims: { iat: now() - 7200, exp: now() - 60 } })],
    ['not yet valid (nbf in the future)', () => craft({ claims: { nbf: now() + 3600 } })],
    ['no exp at all', () => craft({ omit: ['exp'] })],
    ['wrong audience', () => craft({ claims: { aud: 'another-api' } })],
    ['audience list without ours', () => craft({ claims: { aud: ['x', 'y'] } })],
    ['wrong issuer', () => craft({ claims: { iss: 'someone-else' } })],
    ['no issuer', () => craft({ omit: ['iss'] })],
    ['wrong typ claim (e.g. an ingest or download token)', () => craft({ claims: { typ: 'download' } })],
    ['missing typ claim', () => craft({ omit: ['typ'] })],
    ['missing ver claim', () => craft({ omit: ['ver'] })],
    ['ver of the wrong type', () => craft({ claims: { ver: '0' } })],
    ['ver ahead of the user\'s version', () => craft({ claims: { ver: 1 } })],
    ['missing sub', () => craft({ omit: ['sub'] })],
    ['sub of a user that does not exist', () => craft({ claims: { sub: randomUUID() } })],
    ['sub that is not an id', () => craft({ claims: { sub: "' or 1=1 --" } })],
    ['not three parts', () => craft().split('.').slice(0, 2).join('.')],
    ['header that is not JSON', () => `${b64('not json')}.${craft().split('.').slice(1).join('.')}`],
  ];

  it.each(negatives)('refuses %s with UNAUTHORIZED', async (_name, make) => {
    const err = await errorOf(me(make()));
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.httpStatus).toBe(401);
  });

  it('refuses an RS256 token signed with a real RSA key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ sub: user.userId, ver: 0, typ: 'user', iss: 'tandem', aud: 'tandem-api', exp: now() + 3600 })}`;
    const token = `${input}.${rsaSign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    expect(await codeOf(me(token))).toBe('UNAUTHORIZED');
  });

  it('refuses a correctly signed token once the user\'s token version was bumped', async () => {
    const u = await app.signUp('Bumped');
    const tokenV0 = craft({ claims: { sub: u.userId, ver: 0 } });
    expect((await me(tokenV0)).user.id).toBe(u.userId);
    await app.client(u.token).auth.logout.mutate();
    expect(await codeOf(me(tokenV0))).toBe('UNAUTHORIZED');
    expect(await codeOf(me(u.token))).toBe('UNAUTHORIZED');
    // The current version works again, so the refusal was about the version alone.
    expect((await me(craft({ claims: { sub: u.userId, ver: 1 } }))).user.id).toBe(u.userId);
  });

  it('refuses bad tokens on mutations and workspace procedures too, changing nothing', async () => {
    const forged = craft({ header: { alg: 'none' }, hmac: 'none' });
    expect(await codeOf(app.client(forged).workspace.create.mutate({ name: 'Forged' }))).toBe('UNAUTHORIZED');
    expect(await codeOf(app.client(forged).workspace.members.query({ workspaceId: user.workspaceId }))).toBe('UNAUTHORIZED');
    expect(await codeOf(app.client(forged).auth.logout.mutate())).toBe('UNAUTHORIZED');
    const mine = await me(craft());
    expect(mine.workspaces).toHaveLength(1);
    expect((await me(user.token)).user.id).toBe(user.userId); // logout above did not go through
  });

  it('refuses bad tokens on the WebSocket, and accepts the control token there', async () => {
    for (const token of [craft({ header: { alg: 'none' }, hmac: 'none' }), craft({ claims: { aud: 'x' } }), craft({ secret: 'z'.repeat(40) })]) {
      const socket = app.wsClient(token);
      const probe = watchSubscription((o) => socket.client.workspace.events.subscribe({ workspaceId: user.workspaceId }, o));
      await vi.waitFor(() => expect(probe.error?.code).toBe('UNAUTHORIZED'), { timeout: 10_000, interval: 20 });
      expect(probe.started).toBe(false);
      await socket.close();
    }
    const socket = app.wsClient(craft());
    const probe = watchSubscription((o) => socket.client.workspace.events.subscribe({ workspaceId: user.workspaceId }, o));
    await vi.waitFor(() => expect(probe.started).toBe(true), { timeout: 10_000, interval: 20 });
    expect(probe.error).toBeNull();
    await socket.close();
  });
});
