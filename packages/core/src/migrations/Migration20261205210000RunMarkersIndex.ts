// agent.runMarkers reads a workspace's runs by when they finished (the assistant's markers on its
// charts): this keeps a chart's range to its own rows instead of the workspace's whole run history.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261205210000RunMarkersIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index if not exists "runs_workspace_id_finished_at_index" on "runs" ("workspace_id", "finished_at");`);
  }
}
