// The exports table (entities/export.ts): one row per export job, kept after its file expires.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261202110000Exports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "exports" ("id" uuid not null, "workspace_id" uuid not null, "requested_by" uuid null, "schedule_id" uuid null, "kind" text check ("kind" in ('conversations', 'messages', 'metrics', 'audit', 'tasks')) not null, "format" text check ("format" in ('csv', 'json', 'ndjson')) not null, "gzip" boolean not null default false, "range_from" timestamptz null, "range_to" timestamptz null, "agent_ids" jsonb not null default '[]', "status" text check ("status" in ('queued', 'running', 'completed', 'failed', 'cancelled', 'expired')) not null default 'queued', "rows" bigint not null default 0, "bytes" bigint not null default 0, "total_rows" bigint null, "error" varchar(500) null, "file_name" varchar(200) null, "attempt" int not null default 0, "created_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, constraint "exports_pkey" primary key ("id"));`);
    this.addSql(`create index "exports_workspace_id_created_at_index" on "exports" ("workspace_id", "created_at");`);
    this.addSql(`create index "exports_status_finished_at_index" on "exports" ("status", "finished_at");`);
    // One CSV cell (RFC 4180) with spreadsheet formulas neutralised (OWASP): exports/columns.ts.
    this.addSql(`create function export_csv_cell(v text) returns text language sql immutable parallel safe as $$
      select case
        when v is null then ''
        when v ~ '^[=+@\\t\\r\\n-]' then '"''' || replace(v, '"', '""') || '"'
        when v ~ '[",\\r\\n]' then '"' || replace(v, '"', '""') || '"'
        else v end $$;`);
  }
}
