// Invitation links into a workspace (entities/invitation.ts): single use, expiring, revocable.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261202130000Invitations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "invitations" ("id" uuid not null, "workspace_id" uuid not null references "workspaces" ("id") on delete cascade, "email" varchar(254) not null, "role" text check ("role" in ('admin', 'member', 'viewer')) not null, "token_hash" char(64) not null, "created_by_id" uuid null references "users" ("id") on delete set null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, "accepted_at" timestamptz null, "accepted_by_id" uuid null references "users" ("id") on delete set null, "revoked_at" timestamptz null, constraint "invitations_pkey" primary key ("id"));`);
    this.addSql(`alter table "invitations" add constraint "invitations_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "invitations_workspace_id_created_at_index" on "invitations" ("workspace_id", "created_at");`);
  }
}
