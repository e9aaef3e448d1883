// Each user's dashboard choices per workspace (agents, panels, range), restored on their next visit.
import type { EntityManager } from '@mikro-orm/postgresql';
import { dashboardPrefsSchema, type DashboardPrefs } from '@tandem/schema';
import { agentsOfWorkspace } from '../agents/agents.ts';

/** Saved choices, or the defaults; agents that are no longer in the workspace are left out. */
export async function getDashboardPrefs(em: EntityManager, workspaceId: string, userId: string): Promise<DashboardPrefs> {
  const [row] = await em.execute<{ prefs: unknown }[]>(
    `select prefs from dashboard_prefs where workspace_id = ? and user_id = ?`, [workspaceId, userId]);
  // Saved by an older version of the schema: start again from the defaults rather than fail.
  const parsed = dashboardPrefsSchema.safeParse(row?.prefs ?? {});
  const prefs = parsed.success ? parsed.data : dashboardPrefsSchema.parse({});
  if (!prefs.agentIds.length) return prefs;
  const present = await em.execute<{ id: string }[]>(
    `select id from agents where workspace_id = ? and id in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
    [workspaceId, JSON.stringify(prefs.agentIds)],
  );
  const ids = new Set(present.map((r) => r.id));
  return { ...prefs, agentIds: prefs.agentIds.filter((id) => ids.has(id)) };
}

/** Agent ids that are not agents of this workspace are refused (NOT_FOUND), never stored. */
export async function saveDashboardPrefs(em: EntityManager, workspaceId: string, userId: string, prefs: DashboardPrefs): Promise<DashboardPrefs> {
  const clean = { ...prefs, agentIds: [...new Set(prefs.agentIds)], panels: [...new Set(prefs.panels)] };
  await agentsOfWorkspace(em, workspaceId, clean.agentIds);
  await em.execute(
    `insert into dashboard_prefs (user_id, workspace_id, prefs, updated_at) values (?, ?, ?::jsonb, now())
     on conflict (user_id, workspace_id) do update set prefs = excluded.prefs, updated_at = excluded.updated_at`,
    [userId, workspaceId, JSON.stringify(clean)],
  );
  return clean;
}
