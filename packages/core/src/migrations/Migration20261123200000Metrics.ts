// Agent metrics: agents, ingest keys, time-partitioned raw samples, rollups, alerts, dashboards.
import { Migration } from '@mikro-orm/migrations';

const FIELDS = ['latency_ms', 'tokens_in', 'tokens_out', 'cost_usd', 'cpu_pct', 'gpu_pct', 'memory_mb', 'requests', 'errors'];

export class Migration20261123200000Metrics extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "agents" ("id" uuid not null, "workspace_id" uuid not null references "workspaces" ("id") on delete cascade, "name" varchar(64) not null, "owner" varchar(120) null, "model" varchar(120) null, "version" varchar(60) null, "tags" jsonb not null default '[]', "latency_threshold_ms" double precision null, "error_rate_threshold" double precision null, "down_after_ms" int not null default 60000, "status" text check ("status" in ('ok', 'degraded', 'down')) not null default 'ok', "status_reason" varchar(200) null, "status_changed_at" timestamptz null, "last_seen_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "agents_pkey" primary key ("id"), constraint "agents_workspace_id_name_unique" unique ("workspace_id", "name"));`);

    // Keys are shown once; only a SHA-256 of the whole key is kept (keys are long random strings,
    // so a fast hash is enough and lets every request look its key up by index).
    this.addSql(`create table "ingest_keys" ("id" uuid not null, "workspace_id" uuid not null references "workspaces" ("id") on delete cascade, "label" varchar(80) not null, "prefix" varchar(16) not null, "key_hash" char(64) not null, "created_by" uuid not null, "created_at" timestamptz not null default now(), "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "ingest_keys_pkey" primary key ("id"), constraint "ingest_keys_key_hash_unique" unique ("key_hash"));`);
    this.addSql(`create index "ingest_keys_workspace_id_index" on "ingest_keys" ("workspace_id");`);

    // Insert-only raw samples, one native partition per UTC day, made ahead by a job
    // (tandem_ensure_metric_partitions) and dropped whole by retention.
    this.addSql(`create table "metric_samples" ("workspace_id" uuid not null, "agent_id" uuid not null, "ts" timestamptz not null, "latency_ms" double precision null, "tokens_in" int null, "tokens_out" int null, "cost_usd" double precision null, "cpu_pct" real null, "gpu_pct" real null, "memory_mb" real null, "requests" int null, "errors" int null, "labels" jsonb null) partition by range ("ts");`);
    this.addSql(`create index "metric_samples_agent_id_ts_index" on "metric_samples" ("agent_id", "ts");`);
    this.addSql(`create index "metric_samples_workspace_id_ts_index" on "metric_samples" ("workspace_id", "ts");`);
    this.addSql(`create or replace function tandem_ensure_metric_partitions(from_day date, days int) returns int language plpgsql as $$
declare
  d date;
  made int := 0;
begin
  for i in 0 .. days - 1 loop
    d := from_day + i;
    if to_regclass('metric_samples_' || to_char(d, 'YYYYMMDD')) is null then
      begin
        execute format('create table %I partition of metric_samples for values from (%L) to (%L)',
          'metric_samples_' || to_char(d, 'YYYYMMDD'), (d::timestamp at time zone 'UTC'), ((d + 1)::timestamp at time zone 'UTC'));
        made := made + 1;
      exception when duplicate_table then
        null; -- another process made it first
      end;
    end if;
  end loop;
  return made;
end $$;`);
    this.addSql(`create or replace function tandem_drop_metric_partitions(before_day date) returns int language plpgsql as $$
declare
  r record;
  dropped int := 0;
begin
  for r in select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
           where i.inhparent = 'metric_samples'::regclass and c.relname ~ '^metric_samples_[0-9]{8}$'
             and to_date(substr(c.relname, 16), 'YYYYMMDD') < before_day loop
    execute format('drop table if exists %I', r.relname);
    dropped := dropped + 1;
  end loop;
  return dropped;
end $$;`);
    this.addSql(`select tandem_ensure_metric_partitions((now() at time zone 'UTC')::date - 8, 12);`);

    // Rollups per agent and bucket (step 60 000 or 3 600 000 ms), kept longer than raw samples.
    // Per field: count, sum, min, max (avg = sum / count); latency also keeps percentiles.
    const cols = FIELDS.map((f) => `"${f}_count" int not null default 0, "${f}_sum" double precision null, "${f}_min" double precision null, "${f}_max" double precision null`).join(', ');
    this.addSql(`create table "metric_rollups" ("workspace_id" uuid not null, "agent_id" uuid not null, "step_ms" int not null check ("step_ms" in (60000, 3600000)), "bucket" timestamptz not null, "samples" int not null, ${cols}, "latency_p50" double precision null, "latency_p95" double precision null, "latency_p99" double precision null, constraint "metric_rollups_pkey" primary key ("agent_id", "step_ms", "bucket"));`);
    this.addSql(`create index "metric_rollups_workspace_id_step_ms_bucket_index" on "metric_rollups" ("workspace_id", "step_ms", "bucket");`);
    // The rollup job recomputes a sliding window that starts a little before its previous run
    // (so a stopped worker misses nothing); samples older than that when they arrive (backfills)
    // mark their agent's hour here, and the job recomputes those hours and deletes the marks.
    this.addSql(`create table "metric_rollup_progress" ("id" smallint not null default 1 check ("id" = 1), "rolled_until" timestamptz not null, constraint "metric_rollup_progress_pkey" primary key ("id"));`);
    this.addSql(`create table "metric_rollup_marks" ("agent_id" uuid not null, "hour" timestamptz not null, constraint "metric_rollup_marks_pkey" primary key ("agent_id", "hour"));`);

    this.addSql(`create table "alert_rules" ("id" uuid not null, "workspace_id" uuid not null references "workspaces" ("id") on delete cascade, "agent_id" uuid null references "agents" ("id") on delete cascade, "name" varchar(120) not null, "metric" varchar(20) not null, "agg" varchar(8) not null, "op" varchar(2) not null, "threshold" double precision not null, "window_ms" int not null, "webhook_url" varchar(2000) null, "created_by" uuid not null, "created_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "alert_rules_pkey" primary key ("id"));`);
    this.addSql(`create index "alert_rules_workspace_id_index" on "alert_rules" ("workspace_id");`);
    // Whether a rule currently fires for an agent (hysteresis lives in the evaluator).
    this.addSql(`create table "alert_states" ("rule_id" uuid not null references "alert_rules" ("id") on delete cascade, "agent_id" uuid not null references "agents" ("id") on delete cascade, "firing" boolean not null, "value" double precision null, "changed_at" timestamptz not null, constraint "alert_states_pkey" primary key ("rule_id", "agent_id"));`);
    // Fired/resolved events with a gapless per-workspace sequence (the tracked() id of alert.events).
    this.addSql(`create table "alert_streams" ("workspace_id" uuid not null references "workspaces" ("id") on delete cascade, "last_seq" int not null default 0, constraint "alert_streams_pkey" primary key ("workspace_id"));`);
    // Rule and agent names are copied in: an event is history and reads the same after either goes.
    // webhook_*: the delivery outcome of rules with a webhook (pending → delivered | failed).
    this.addSql(`create table "alert_events" ("workspace_id" uuid not null references "workspaces" ("id") on delete cascade, "seq" int not null, "rule_id" uuid not null, "rule_name" varchar(120) not null, "agent_id" uuid not null, "agent_name" varchar(64) not null, "kind" text check ("kind" in ('fired', 'resolved')) not null, "value" double precision null, "threshold" double precision not null, "created_at" timestamptz not null default now(), "webhook_state" text check ("webhook_state" in ('pending', 'delivered', 'failed')) null, "webhook_attempts" int not null default 0, "webhook_error" varchar(300) null, "webhook_delivered_at" timestamptz null, constraint "alert_events_pkey" primary key ("workspace_id", "seq"));`);
    this.addSql(`create index "alert_events_webhook_pending_index" on "alert_events" ("created_at") where "webhook_state" = 'pending';`);

    this.addSql(`create table "dashboard_prefs" ("user_id" uuid not null, "workspace_id" uuid not null references "workspaces" ("id") on delete cascade, "prefs" jsonb not null, "updated_at" timestamptz not null default now(), constraint "dashboard_prefs_pkey" primary key ("user_id", "workspace_id"));`);
  }
}
