// Signed download links: HMAC-SHA256 over the export id and an expiry, keyed from JWT_SECRET (or
// the secret generated into DATA_DIR), so any server of the deployment can check them.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '@tandem/schema';
import { loadJwtSecret } from '../auth/tokens.ts';

/** How long a link that export.list / export.get hand out works. */
export const DOWNLOAD_LINK_TTL_MS = 3600_000;

export class ExportLinks {
  private constructor(private readonly key: Buffer) {}

  /** The key is derived from the token secret, so rotating JWT_SECRET also voids every link. */
  static async load(config: Pick<Config, 'JWT_SECRET' | 'DATA_DIR'>): Promise<ExportLinks> {
    const secret = await loadJwtSecret(config.JWT_SECRET, config.DATA_DIR);
    return new ExportLinks(createHmac('sha256', secret).update('tandem export download links').digest());
  }

  private signature(exportId: string, expires: number): Buffer {
    return createHmac('sha256', this.key).update(`${exportId}.${expires}`).digest();
  }

  /** A path with `expires` (epoch seconds) and `sig`, relative to the server's origin. */
  url(exportId: string, ttlMs = DOWNLOAD_LINK_TTL_MS, now = Date.now()): string {
    const expires = Math.floor((now + ttlMs) / 1000);
    return `/api/v1/exports/${exportId}/download?expires=${expires}&sig=${this.signature(exportId, expires).toString('base64url')}`;
  }

  /** True when `sig` signs this id and expiry and the expiry has not passed. */
  verify(exportId: string, expires: string | null, sig: string | null, now = Date.now()): boolean {
    if (!expires || !sig || !/^\d{1,12}$/.test(expires) || Number(expires) * 1000 <= now) return false;
    const given = Buffer.from(sig, 'base64url');
    const expected = this.signature(exportId, Number(expires));
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

const cache = new WeakMap<object, Promise<ExportLinks>>();
/** One ExportLinks per config object (each server and worker has one). */
export function exportLinks(config: Config): Promise<ExportLinks> {
  let links = cache.get(config);
  if (!links) cache.set(config, (links = ExportLinks.load(config)));
  return links;
}
