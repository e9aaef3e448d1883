// usage.assistant and workspace.setBudget: the asker's hourly quota in sight, and the workspace's
// monthly assistant budget.
import { z } from 'zod';
import { idSchema } from './auth.ts';

export const assistantUsageInput = z.object({ workspaceId: idSchema });

export const setBudgetInput = z.object({
  workspaceId: idSchema,
  /** US dollars per calendar month (UTC) of assistant spend; null: no budget. */
  monthlyBudgetUsd: z.number().min(0, 'A budget cannot be negative').max(1_000_000, 'At most $1,000,000 a month').nullable(),
});

export const assistantUsageSchema = z.object({
  /** Who answers here: "the offline assistant", or the provider and model ("OpenAI gpt-4o-mini"). */
  assistant: z.string(),
  /** The caller's questions per hour (ASSISTANT_RATE_LIMIT_PER_HOUR). */
  limit: z.number().int(),
  /** Questions the caller can ask now: the least room left of their own, the workspace's and the deployment's hourly limits. */
  remaining: z.number().int(),
  /** When the binding limit next frees a question (ISO time); null while nothing is used. */
  resetAt: z.string().nullable(),
  workspace: z.object({
    /** Assistant spend of the current calendar month (UTC), from the replies' recorded cost. */
    monthCostUsd: z.number(),
    budgetUsd: z.number().nullable(),
    /** True once the month's spend reached the budget: new questions are refused until the next month. */
    overBudget: z.boolean(),
  }),
});
export type AssistantUsage = z.infer<typeof assistantUsageSchema>;
