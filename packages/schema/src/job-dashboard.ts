// Inputs of jobs.* (the Jobs page): retry and remove name one job of the workspace by its kind.
import { z } from 'zod';
import { idSchema } from './auth.ts';

export const jobsRetryInput = z.discriminatedUnion('kind', [
  z.object({ workspaceId: idSchema, kind: z.literal('export'), exportId: idSchema }),
  /** A failed alert webhook delivery, by its alert event's number. */
  z.object({ workspaceId: idSchema, kind: z.literal('webhook'), seq: z.number().int().positive().max(2_147_483_647) }),
  /** A scheduled export run's failed completion webhook, by the run's export id. */
  z.object({ workspaceId: idSchema, kind: z.literal('exportWebhook'), exportId: idSchema }),
]);

export const jobsRemoveInput = z.discriminatedUnion('kind', [
  /** Cancels a queued or running export (its partial file goes). */
  z.object({ workspaceId: idSchema, kind: z.literal('export'), exportId: idSchema }),
  z.object({ workspaceId: idSchema, kind: z.literal('schedule'), scheduleId: idSchema }),
]);
