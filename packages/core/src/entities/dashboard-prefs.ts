// The dashboard_prefs table: each user's dashboard choices per workspace, a DashboardPrefs of
// @tandem/schema as JSON (dashboards/dashboard-prefs.ts reads and writes it with plain SQL).
import { defineEntity, p } from '@mikro-orm/core';
import { Workspace } from './workspace.ts';

export const DashboardPrefsEntity = defineEntity({
  name: 'DashboardPrefs',
  tableName: 'dashboard_prefs',
  properties: {
    /** As migrated, with no foreign key to users. */
    userId: p.uuid().primary(),
    workspace: () => p.manyToOne(Workspace).primary().ref()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('dashboard_prefs_workspace_id_fkey'),
    prefs: p.json<Record<string, unknown>>(),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
