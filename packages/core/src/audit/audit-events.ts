// Audit entries written outside a domain transaction: sign-ins and password changes (one per workspace of the account)
// and the assistant's tool calls (written by the worker after each call).
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit } from './audit-log.ts';

/**
 * A sign-in, a failed one or a password change, into every workspace the account belongs to (the
 * audit log is per workspace; an unknown email belongs to none, so nothing is written for it).
 */
export async function auditSignIn(
  em: EntityManager, email: string, outcome: 'auth.login' | 'auth.loginFailed' | 'auth.passwordChanged', address: string,
): Promise<void> {
  const rows = await em.execute<{ user_id: string; workspace_id: string }[]>(
    `select m.user_id, m.workspace_id from memberships m join users u on u.id = m.user_id where u.email = ?`, [email]);
  // A failed sign-in was not the account's owner, as far as anyone knows: no actor.
  for (const r of rows)
    recordAudit(em, { workspaceId: r.workspace_id, actorId: outcome === 'auth.loginFailed' ? null : r.user_id, action: outcome, targetId: r.user_id, data: { address } });
  if (rows.length) await em.flush();
}

export interface ToolCallAudit {
  workspaceId: string;
  userId: string;
  conversationId: string;
  runId: string;
  tool: string;
  latencyMs: number;
  ok: boolean;
}

/** One tool call of the assistant: which tool, how long, and whether it worked (never its arguments or result). */
export async function auditToolCall(em: EntityManager, call: ToolCallAudit): Promise<void> {
  recordAudit(em, {
    workspaceId: call.workspaceId, actorId: call.userId, action: 'assistant.tool', targetId: call.conversationId,
    data: { tool: call.tool, latencyMs: call.latencyMs, outcome: call.ok ? 'ok' : 'error', runId: call.runId },
  });
  await em.flush();
}
