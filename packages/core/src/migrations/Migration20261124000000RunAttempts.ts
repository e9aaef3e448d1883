// Runs count their attempts, so writes of a worker that lost its job lock can be refused.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000000RunAttempts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "runs" add column "attempt" int not null default 0;`);
  }
}
