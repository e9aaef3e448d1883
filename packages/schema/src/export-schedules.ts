// Inputs of the scheduled-export procedures (export.schedule, schedules, pauseSchedule,
// resumeSchedule, unschedule) and the job that runs one due time.
import { z } from 'zod';
import { idSchema } from './auth.ts';
import { webhookUrlSchema } from './alerts.ts';
import { exportSpecFields, rangeInOrder } from './exports.ts';
import { singleLineText, tokenText } from './text.ts';

export const scheduleExportInput = z.object({
  workspaceId: idSchema,
  /** Five fields: minute hour day-of-month month day-of-week (checked by the server, which answers the next runs). */
  cron: singleLineText('Cron', { max: 120 }),
  /** IANA zone the cron's wall-clock times are in; daylight-saving changes follow it. */
  timezone: tokenText('Time zone', { max: 64 }).default('UTC'),
  ...exportSpecFields,
  /** POSTed when each run's export completes or fails (export-schedules/webhook.ts in core). */
  webhookUrl: webhookUrlSchema.nullish(),
}).refine(rangeInOrder, { message: 'must be after from', path: ['to'] });

export const scheduleIdInput = z.object({ workspaceId: idSchema, scheduleId: idSchema });

/** One due time of a schedule (the job scheduler's job; its id carries the due time). */
export const exportScheduledJob = z.object({ scheduleId: z.uuid() });

/**
 * One completion webhook of a scheduled run: the export row holds its outcome and delivery state;
 * `finishedAt` (epoch ms) names the outcome, so a delivery outlived by a retry of the export is skipped.
 */
export const exportWebhookJob = z.object({ workspaceId: z.uuid(), exportId: z.uuid(), finishedAt: z.number().int().nonnegative() });
