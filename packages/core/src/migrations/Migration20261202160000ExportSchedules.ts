// Scheduled exports: cron + time zone + what to export; each due time makes an ordinary export row
// (exports.schedule_id). BullMQ job schedulers fire them; this table is the source of truth.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261202160000ExportSchedules extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "export_schedules" ("id" uuid not null, "workspace_id" uuid not null references "workspaces" ("id") on delete cascade, "created_by" uuid not null, "cron" varchar(120) not null, "timezone" varchar(64) not null, "spec" jsonb not null, "webhook_url" varchar(2000) null, "paused" boolean not null default false, "created_at" timestamptz not null default now(), "last_due_at" timestamptz null, "last_run_at" timestamptz null, "last_export_id" uuid null, constraint "export_schedules_pkey" primary key ("id"));`);
    this.addSql(`create index "export_schedules_workspace_id_created_at_index" on "export_schedules" ("workspace_id", "created_at");`);
  }
}
