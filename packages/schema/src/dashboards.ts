// The dashboard router (dashboard.get, save): each user's saved choices per workspace.
import { z } from 'zod';
import { idSchema } from './auth.ts';
import { metricNameSchema } from './metric-fields.ts';

export const dashboardPrefsSchema = z.object({
  agentIds: z.array(idSchema).max(50).default([]),
  panels: z.array(metricNameSchema).max(12).default(['latency_ms', 'throughput', 'cost_usd', 'tokens', 'cpu_pct', 'memory_mb']),
  /** A relative range ending now, in milliseconds. */
  rangeMs: z.number().int().min(60_000).max(400 * 86_400_000).default(3600_000),
});
export type DashboardPrefs = z.infer<typeof dashboardPrefsSchema>;
export const saveDashboardPrefsInput = z.object({ workspaceId: idSchema, prefs: dashboardPrefsSchema });
