// How much of the assistant a user and their workspace have used: questions in the last hour
// against the three hourly limits, and the month's spend against the workspace's budget.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AssistantUsage } from '@tandem/schema';
import { AppError } from '../errors.ts';
import { recordAudit } from '../audit/audit-log.ts';

export interface AssistantLimits {
  perUser: number;
  perWorkspace: number;
  perDeployment: number;
}

/** Runs of the last hour matching `where`, and when the oldest of them leaves the hour. */
export async function hourlyUse(em: EntityManager, where: string, params: unknown[]): Promise<{ used: number; resetAt: Date | null }> {
  const [row] = await em.execute<{ used: string; oldest: Date | null }[]>(
    `select count(*) as used, min(created_at) as oldest from runs where ${where} and created_at > now() - interval '1 hour'`, params);
  return { used: Number(row?.used ?? 0), resetAt: row?.oldest ? new Date(new Date(row.oldest).getTime() + 3_600_000) : null };
}

const MONTH_START = `date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'`;

/** The workspace's assistant spend since the first of this month (UTC): the replies' recorded cost. */
export async function monthSpendUsd(em: EntityManager, workspaceId: string): Promise<number> {
  const [row] = await em.execute<{ usd: string | null }[]>(
    `select sum(m.cost_usd) as usd from messages m join conversations c on c.id = m.conversation_id
      where c.workspace_id = ? and m.role = 'assistant' and m.created_at >= ${MONTH_START}`, [workspaceId]);
  return Number(row?.usd ?? 0);
}

async function budgetOf(em: EntityManager, workspaceId: string): Promise<number | null> {
  const [row] = await em.execute<{ budget: number | null }[]>('select monthly_budget_usd as budget from workspaces where id = ?', [workspaceId]);
  return row?.budget ?? null;
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/**
 * Refuses a new question once the month's spend reached the workspace's budget. Runs in flight
 * finish (their cost may pass the budget a little); the refusal says until when.
 */
export async function assertWithinBudget(em: EntityManager, workspaceId: string): Promise<void> {
  const budget = await budgetOf(em, workspaceId);
  if (budget === null) return;
  const spent = await monthSpendUsd(em, workspaceId);
  if (spent < budget) return;
  const now = new Date();
  const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  throw new AppError('TOO_MANY_REQUESTS',
    `This workspace has spent ${usd(spent)} of its ${usd(budget)} monthly assistant budget; questions resume on ${nextMonth.toISOString().slice(0, 10)}, or an admin can raise the budget on the Costs page`,
    { retryAfterMs: nextMonth.getTime() - now.getTime() });
}

export async function assistantUsage(
  em: EntityManager, scope: { workspaceId: string; userId: string }, limits: AssistantLimits, assistant: string,
): Promise<AssistantUsage> {
  const [user, workspace, deployment] = [
    { ...(await hourlyUse(em, 'created_by = ?', [scope.userId])), limit: limits.perUser },
    { ...(await hourlyUse(em, 'workspace_id = ?', [scope.workspaceId])), limit: limits.perWorkspace },
    { ...(await hourlyUse(em, 'true', [])), limit: limits.perDeployment },
  ];
  // The binding limit is the one with the least room; its oldest run frees the next question.
  const binding = [user, workspace, deployment].reduce((a, b) => (b.limit - b.used < a.limit - a.used ? b : a));
  const [monthCostUsd, budgetUsd] = [await monthSpendUsd(em, scope.workspaceId), await budgetOf(em, scope.workspaceId)];
  return {
    assistant,
    limit: limits.perUser,
    remaining: Math.max(0, binding.limit - binding.used),
    resetAt: binding.resetAt?.toISOString() ?? null,
    workspace: { monthCostUsd: Math.round(monthCostUsd * 1e6) / 1e6, budgetUsd, overBudget: budgetUsd !== null && monthCostUsd >= budgetUsd },
  };
}

/** workspace.setBudget: audited with the old and new value. */
export async function setMonthlyBudget(em: EntityManager, workspaceId: string, actorId: string, budgetUsd: number | null): Promise<{ budgetUsd: number | null }> {
  await em.transactional(async (tx) => {
    const before = await budgetOf(tx, workspaceId);
    await tx.execute('update workspaces set monthly_budget_usd = ? where id = ?', [budgetUsd, workspaceId]);
    recordAudit(tx, { workspaceId, actorId, action: 'workspace.budget', targetId: workspaceId, data: { from: before, to: budgetUsd } });
  });
  return { budgetUsd };
}
