// Each member's todo tasks per workspace (entities/task.ts), listed newest first per owner.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261202100000Tasks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "tasks" ("id" uuid not null, "workspace_id" uuid not null references "workspaces" ("id") on delete cascade, "owner_id" uuid not null references "users" ("id") on delete cascade, "title" varchar(200) not null, "notes" text not null default '', "due_at" timestamptz null, "completed" boolean not null default false, "completed_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "tasks_pkey" primary key ("id"));`);
    this.addSql(`create index "tasks_workspace_id_owner_id_created_at_index" on "tasks" ("workspace_id", "owner_id", "created_at");`);
  }
}
