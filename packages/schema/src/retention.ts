// Inputs of retention.* (conversation retention sweeps, per-workspace period).
import { z } from 'zod';
import { idSchema } from './auth.ts';

export const retentionSetInput = z.object({
  workspaceId: idSchema,
  /** Days without activity before a conversation is archived; null: the deployment's default. */
  conversationDays: z.number().int().min(1, 'Keep conversations at least 1 day').max(3650, 'At most 3650 days').nullable(),
});
