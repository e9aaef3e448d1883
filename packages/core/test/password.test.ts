import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, setScryptCost, verifyPassword } from '../src/auth/password.ts';

// Unit speed: 2^14 here; security-passwords.server.test.ts checks the deployed 2^17 and the rehash.
setScryptCost(14);

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsE', hash)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('treats unicode forms of one password alike (NFKC)', async () => {
    const hash = await hashPassword('caf\u00e9');
    expect(await verifyPassword('cafe\u0301', hash)).toBe(true);
  });

  it('refuses malformed stored hashes instead of throwing', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$1$2$3$4$5')).toBe(false);
    // Absurd stored parameters are refused rather than allowed to allocate gigabytes.
    expect(await verifyPassword('x', 'scrypt$2147483648$8$1$c2FsdA$aGFzaA')).toBe(false);
  });

  it('finds hashes weaker than the current cost (or unreadable) as needing a rehash', async () => {
    const hash = await hashPassword('pw');
    expect(needsRehash(hash)).toBe(false);
    expect(needsRehash(hash.replace('$16384$', '$8192$'))).toBe(true);
    expect(needsRehash(hash.replace('$8$1$', '$4$1$'))).toBe(true);
    expect(needsRehash('plain-text')).toBe(true);
  });
});
