// The workspace's monthly assistant budget (conversations/assistant-usage.ts); null: no budget.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261202190000AssistantBudget extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "workspaces" add column "monthly_budget_usd" double precision null;`);
  }
}
