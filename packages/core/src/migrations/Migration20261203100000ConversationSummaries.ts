// The stored summary of a conversation's earlier messages (conversations/summaries.ts): one row per
// conversation, extended as it grows; it goes with the conversation (cascade).
import { Migration } from '@mikro-orm/migrations';

export class Migration20261203100000ConversationSummaries extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "conversation_summaries" ("conversation_id" uuid not null, "workspace_id" uuid not null, "content" text not null, "covers_through_seq" int not null, "covered_messages" int not null, "tokens" int not null, "written_by" varchar(100) not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "conversation_summaries_pkey" primary key ("conversation_id"));`);
    this.addSql(`alter table "conversation_summaries" add constraint "conversation_summaries_conversation_id_fkey" foreign key ("conversation_id") references "conversations" ("id") on update no action on delete cascade;`);
  }
}
