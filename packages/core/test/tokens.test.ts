import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenSigner, loadJwtSecret } from '../src/auth/tokens.ts';
import { AppError } from '../src/errors.ts';

const signer = new TokenSigner('s'.repeat(40));
const USER = '6f1c1f9e-8d2a-4c1b-9f5e-2a7d3c4b5e6f';

describe('TokenSigner', () => {
  it('round-trips user id and token version', async () => {
    const token = await signer.sign(USER, 3);
    const claims = await signer.verify(token);
    expect(claims).toMatchObject({ userId: USER, tokenVersion: 3 });
    expect(claims.expiresAt).toBeGreaterThan(Date.now());
  });

  it('refuses a token signed with another secret', async () => {
    const other = await new TokenSigner('t'.repeat(40)).sign(USER, 0);
    await expect(signer.verify(other)).rejects.toThrow(AppError);
  });

  it('says an expired token has expired', async () => {
    const token = await signer.sign(USER, 0, -10);
    await expect(signer.verify(token)).rejects.toThrow('Your session has expired');
  });
});

describe('loadJwtSecret', () => {
  it('prefers the configured secret, else generates one once into DATA_DIR (0600)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-secret-'));
    try {
      expect(await loadJwtSecret('configured'.repeat(4), dir)).toBe('configured'.repeat(4));
      const a = await loadJwtSecret(undefined, dir);
      const b = await loadJwtSecret(undefined, dir);
      expect(a).toBe(b);
      expect(a.length).toBeGreaterThanOrEqual(32);
      expect((await readFile(join(dir, 'jwt-secret'), 'utf8')).trim()).toBe(a);
      expect((await stat(join(dir, 'jwt-secret'))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

it('refuses a correctly signed token whose subject is not a user id', async () => {
  await expect(signer.verify(await signer.sign('not-a-uuid', 0))).rejects.toThrow('Invalid token');
});
