// metrics.costs: what agents spent over a range, by agent, by model and by UTC day.
import { z } from 'zod';
import { idSchema } from './auth.ts';

/** Before the year 10000: what Date and timestamptz both hold. */
const epochMs = z.number().int().nonnegative().max(253_402_300_799_999, 'must be before the year 10000');

export const costQueryInput = z
  .object({ workspaceId: idSchema, from: epochMs, to: epochMs })
  .refine((q) => q.to > q.from, { message: 'must be after from', path: ['to'] })
  .refine((q) => q.to - q.from <= 400 * 86_400_000, { message: 'range is at most 400 days', path: ['to'] });

const costLine = { costUsd: z.number(), tokens: z.number(), requests: z.number() };
const periodCost = z.object({ from: z.string(), to: z.string(), costUsd: z.number() });
/** `metrics.costs`: spend over a range (whole UTC hours), broken down three ways. */
export const costReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  total: z.object(costLine),
  /** Most expensive first; the first few are the top spenders. */
  byAgent: z.array(z.object({ agentId: z.string(), agentName: z.string(), share: z.number(), ...costLine })),
  /** The sample's `model` label, else the agent's model, else "unknown". */
  byModel: z.array(z.object({ model: z.string(), share: z.number(), ...costLine })),
  /** Every UTC day of the range, zero when nothing was spent. */
  byDay: z.array(z.object({ day: z.string(), ...costLine })),
  /** This month so far against the same stretch of the previous month. */
  monthToDate: z.object({ current: periodCost, previous: periodCost, changePct: z.number().nullable() }),
});
export type CostReport = z.infer<typeof costReportSchema>;
