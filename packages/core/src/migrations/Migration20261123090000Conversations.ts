// Conversations, messages, assistant runs and the gapless per-conversation event log.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261123090000Conversations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "conversations" ("id" uuid not null, "workspace_id" uuid not null, "created_by" uuid not null, "title" varchar(120) not null, "last_seq" int not null default 0, "last_activity_at" timestamptz not null, "archived_at" timestamptz null, "created_at" timestamptz not null, constraint "conversations_pkey" primary key ("id"));`);
    this.addSql(`create index "conversations_workspace_id_last_activity_at_index" on "conversations" ("workspace_id", "last_activity_at");`);
    this.addSql(`create table "conversation_events" ("conversation_id" uuid not null, "seq" int not null, "type" varchar(40) not null, "payload" jsonb not null, "created_at" timestamptz not null, constraint "conversation_events_pkey" primary key ("conversation_id", "seq"));`);
    this.addSql(`create table "messages" ("id" uuid not null, "conversation_id" uuid not null, "seq" int not null, "role" text check ("role" in ('user', 'assistant')) not null, "author_id" uuid null, "content" text not null default '', "status" text check ("status" in ('streaming', 'complete', 'error', 'cancelled', 'timeout')) not null, "run_id" uuid null, "client_message_id" varchar(64) null, "tokens" int null, "cost_usd" double precision null, "latency_ms" int null, "created_at" timestamptz not null, constraint "messages_pkey" primary key ("id"));`);
    this.addSql(`create index "messages_conversation_id_seq_index" on "messages" ("conversation_id", "seq");`);
    this.addSql(`alter table "messages" add constraint "messages_conversation_id_client_message_id_unique" unique ("conversation_id", "client_message_id");`);
    this.addSql(`create table "runs" ("id" uuid not null, "conversation_id" uuid not null, "workspace_id" uuid not null, "question_message_id" uuid not null, "reply_message_id" uuid null, "created_by" uuid not null, "status" text check ("status" in ('queued', 'running', 'completed', 'failed', 'timeout', 'cancelled')) not null, "reason" varchar(500) null, "created_at" timestamptz not null, "finished_at" timestamptz null, constraint "runs_pkey" primary key ("id"));`);
    this.addSql(`create index "runs_conversation_id_status_index" on "runs" ("conversation_id", "status");`);
    this.addSql(`create index "runs_created_by_created_at_index" on "runs" ("created_by", "created_at");`);
  }
}
