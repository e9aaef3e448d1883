// User tokens: JWT HS256 with an algorithm allow-list, issuer, audience, expiry and a per-user version.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { idSchema, tokenClaimsSchema } from '@tandem/schema';
import { AppError } from '../errors.ts';

export const TOKEN_ISSUER = 'tandem';
export const TOKEN_AUDIENCE = 'tandem-api';
export const TOKEN_TTL_SECONDS = 7 * 24 * 3600;

export interface TokenClaims {
  userId: string;
  tokenVersion: number;
  expiresAt: number;
}

export class TokenSigner {
  private readonly key: Uint8Array;
  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(userId: string, tokenVersion: number, ttlSeconds = TOKEN_TTL_SECONDS): Promise<string> {
    return new SignJWT({ ver: tokenVersion, typ: 'user' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.key);
  }

  /**
   * A secret derived from the signing key for one purpose and id (HMAC-SHA256): links the server
   * can show again (invitations) while the database keeps only their hash.
   */
  derive(purpose: string, id: string): Buffer {
    return createHmac('sha256', this.key).update(`${purpose}\0${id}`).digest();
  }

  /** Verifies signature, algorithm, issuer, audience, exp/nbf and the claim shape. */
  async verify(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['exp', 'sub'],
      });
      const claims = tokenClaimsSchema.parse(payload);
      // sub is looked up in a uuid column: anything else must be refused here, not fail the query.
      idSchema.parse(claims.sub);
      return { userId: claims.sub, tokenVersion: claims.ver, expiresAt: (payload.exp ?? 0) * 1000 };
    } catch (err) {
      const expired = err instanceof joseErrors.JWTExpired;
      throw new AppError('UNAUTHORIZED', expired ? 'Your session has expired; sign in again' : 'Invalid token');
    }
  }
}

/** JWT_SECRET from config, else one generated once and kept in DATA_DIR (mode 0600). */
export async function loadJwtSecret(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured;
  const file = join(dataDir, 'jwt-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(dataDir, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    await writeFile(file, secret, { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    return (await readFile(file, 'utf8')).trim();
  }
}
