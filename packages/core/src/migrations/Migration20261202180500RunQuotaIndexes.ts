// conversation.send counts the last hour's runs per workspace and over the deployment (issue 11
// item 6); these keep both counts to that hour's rows instead of the whole runs table.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261202180500RunQuotaIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index if not exists "runs_workspace_id_created_at_index" on "runs" ("workspace_id", "created_at");`);
    this.addSql(`create index if not exists "runs_created_at_index" on "runs" ("created_at");`);
  }
}
