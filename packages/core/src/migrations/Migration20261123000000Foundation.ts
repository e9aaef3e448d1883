// Users, workspaces, memberships and the insert-only audit log.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261123000000Foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "users" ("id" uuid not null, "email" varchar(254) not null, "name" varchar(100) not null, "password_hash" varchar(200) not null, "token_version" int not null default 0, "created_at" timestamptz not null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(`create table "workspaces" ("id" uuid not null, "name" varchar(80) not null, "created_at" timestamptz not null, constraint "workspaces_pkey" primary key ("id"));`);
    this.addSql(`create table "memberships" ("id" uuid not null, "workspace_id" uuid not null, "user_id" uuid not null, "role" text check ("role" in ('admin', 'member', 'viewer')) not null, "created_at" timestamptz not null, constraint "memberships_pkey" primary key ("id"));`);
    this.addSql(`create index "memberships_user_id_index" on "memberships" ("user_id");`);
    this.addSql(`alter table "memberships" add constraint "memberships_workspace_id_user_id_unique" unique ("workspace_id", "user_id");`);
    this.addSql(`alter table "memberships" add constraint "memberships_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "memberships" add constraint "memberships_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`create table "audit_log" ("id" bigserial primary key, "workspace_id" uuid not null, "actor_id" uuid null, "action" varchar(64) not null, "target_id" varchar(64) null, "data" jsonb not null default '{}', "created_at" timestamptz not null);`);
    this.addSql(`create index "audit_log_workspace_id_id_index" on "audit_log" ("workspace_id", "id");`);
    // The audit log is kept forever: the database itself refuses edits and deletes.
    this.addSql(`create function audit_log_is_insert_only() returns trigger language plpgsql as $$ begin raise exception 'audit_log is insert-only'; end $$;`);
    this.addSql(`create trigger audit_log_insert_only before update or delete on "audit_log" for each row execute function audit_log_is_insert_only();`);
    this.addSql(`create trigger audit_log_no_truncate before truncate on "audit_log" for each statement execute function audit_log_is_insert_only();`);
  }
}
