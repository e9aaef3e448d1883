// Retention sweeps: conversations archived by retention (restorable until purged) and each
// workspace's own retention period (null: CONVERSATION_RETENTION_DAYS).
import { Migration } from '@mikro-orm/migrations';

export class Migration20261202120000Retention extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "conversations" add column "retention_archived_at" timestamptz null;`);
    this.addSql(`create index "conversations_retention_archived_index" on "conversations" ("workspace_id", "retention_archived_at") where "retention_archived_at" is not null;`);
    this.addSql(`alter table "workspaces" add column "conversation_retention_days" int null check ("conversation_retention_days" between 1 and 3650);`);
  }
}
