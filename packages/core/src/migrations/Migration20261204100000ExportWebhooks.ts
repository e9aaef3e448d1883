// Completion webhooks of scheduled exports (export_schedules.webhook_url, made with the table):
// each run's delivery state lives on its export row, as an alert event's lives on alert_events.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261204100000ExportWebhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "exports" add column "webhook_state" text check ("webhook_state" in ('pending', 'delivered', 'failed')) null, add column "webhook_attempts" int not null default 0, add column "webhook_error" varchar(300) null, add column "webhook_delivered_at" timestamptz null;`);
    // A schedule's latest delivery (export.schedules) is read per schedule, newest run first.
    this.addSql(`create index "exports_schedule_id_finished_at_index" on "exports" ("schedule_id", "finished_at");`);
  }
}
