// accessToken.create / list / revoke: personal access tokens (`tdp_…`) for MCP and scripts, each
// acting as its user in one workspace with that user's current role.
import { z } from 'zod';
import { singleLineText } from './text.ts';
import { idSchema } from './auth.ts';

export const createAccessTokenInput = z.object({ workspaceId: idSchema, label: singleLineText('Label', { max: 80 }) });
export const revokeAccessTokenInput = z.object({ workspaceId: idSchema, tokenId: idSchema });
export const accessTokenSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** `tdp_` and the first 8 random characters, so people can tell tokens apart; the rest is never stored. */
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type AccessToken = z.infer<typeof accessTokenSchema>;
