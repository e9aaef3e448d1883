// Personal access tokens (entities/access-token.ts): one user's, in one workspace, stored hashed.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261202150000AccessTokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "access_tokens" ("id" uuid not null, "workspace_id" uuid not null references "workspaces" ("id") on delete cascade, "user_id" uuid not null references "users" ("id") on delete cascade, "label" varchar(80) not null, "prefix" varchar(16) not null, "token_hash" char(64) not null, "created_at" timestamptz not null default now(), "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "access_tokens_pkey" primary key ("id"), constraint "access_tokens_token_hash_unique" unique ("token_hash"));`);
    this.addSql(`create index "access_tokens_workspace_id_user_id_index" on "access_tokens" ("workspace_id", "user_id");`);
  }
}
