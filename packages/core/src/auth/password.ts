// Password hashing with node:crypto scrypt at OWASP's cost (N=2^17, r=8, p=1); constant-time
// comparison; stored hashes carry their parameters, so weaker ones are found and rehashed at login.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** log2 of scrypt's N as deployed: OWASP's recommended minimum for scrypt (2^17, r=8, p=1). */
export const DEFAULT_SCRYPT_LOG2_N = 17;
const R = 8;
const P = 1;
const KEY_LEN = 32;
/** Stored hashes above this are refused rather than allowed to allocate gigabytes. */
const MAX_LOG2_N = 20;

let log2N = DEFAULT_SCRYPT_LOG2_N;

/**
 * Sets the cost new hashes get. Only the test runtime lowers it (for speed; security-passwords
 * tests check the deployed default and the rehash): production never calls this.
 */
export function setScryptCost(log2: number): void {
  log2N = log2;
}

/** scrypt needs 128·N·r bytes for its table plus 128·r·(p+2) more: allow twice the table. */
const paramsFor = (N: number, r: number, p: number): ScryptOptions => ({ N, r, p, maxmem: 2 * 128 * N * r * p });

function derive(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LEN, params, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Returns `scrypt$N$r$p$salt$hash` (base64url), self-describing so parameters can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const N = 2 ** log2N;
  const salt = randomBytes(16);
  const key = await derive(password, salt, paramsFor(N, R, P));
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface Parsed { N: number; r: number; p: number; salt: string; hash: string }

function parse(stored: string): Parsed | null {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const [N, rr, pp] = [Number(n), Number(r), Number(p)];
  if (scheme !== 'scrypt' || !salt || !hash || ![N, rr, pp].every((x) => Number.isSafeInteger(x) && x > 0)) return null;
  if (N > 2 ** MAX_LOG2_N || rr > 32 || pp > 16) return null;
  return { N, r: rr, p: pp, salt, hash };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const expected = Buffer.from(parsed.hash, 'base64url');
  const key = await derive(password, Buffer.from(parsed.salt, 'base64url'), paramsFor(parsed.N, parsed.r, parsed.p)).catch(() => null);
  return !!key && key.length === expected.length && timingSafeEqual(key, expected);
}

/** True when a stored hash is cheaper than what hashPassword makes now: rehash it at the next login. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.N < 2 ** log2N || parsed.r < R || parsed.p < P;
}

const dummies = new Map<number, Promise<string>>();

/** A hash at the current cost to compare against when the user does not exist, so timing does not reveal it. */
export function dummyPasswordHash(): Promise<string> {
  let dummy = dummies.get(log2N);
  if (!dummy) dummies.set(log2N, (dummy = hashPassword(randomBytes(12).toString('hex'))));
  return dummy;
}
