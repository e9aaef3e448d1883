// Workers sweep the runs still queued or running (orphaned-runs.ts); this keeps that query off
// the whole, ever-growing runs table.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261124120000OpenRunsIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "runs_open_created_at_index" on "runs" ("created_at") where "status" in ('queued', 'running');`);
  }
}
