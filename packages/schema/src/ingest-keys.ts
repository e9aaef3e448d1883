// The ingest-key router (ingestKey.create, list, revoke): keys as admins see them, never the secret.
import { z } from 'zod';
import { singleLineText } from './text.ts';
import { idSchema } from './auth.ts';

export const createIngestKeyInput = z.object({ workspaceId: idSchema, label: singleLineText('Label', { max: 80 }) });
export const revokeIngestKeyInput = z.object({ workspaceId: idSchema, keyId: idSchema });
export const ingestKeySchema = z.object({
  id: z.string(),
  label: z.string(),
  /** The first characters of the key, so people can tell keys apart; the rest is never stored. */
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
