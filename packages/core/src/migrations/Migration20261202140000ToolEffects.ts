// The tool side-effect ledger (entities/tool-effect.ts): one row per run and changing tool call.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261202140000ToolEffects extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "tool_effects" ("run_id" uuid not null, "call_key" varchar(200) not null, "outcome" jsonb not null, "created_at" timestamptz not null default now(), constraint "tool_effects_pkey" primary key ("run_id", "call_key"));`);
    this.addSql(`alter table "tool_effects" add constraint "tool_effects_run_id_fkey" foreign key ("run_id") references "runs" ("id") on update no action on delete cascade;`);
  }
}
