// A metric range attached to a message (messages.metric_ref): the agent, metric and from/to of a
// chart selection or an alert's window, shown with the message and put in the assistant's context.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261205200000MessageMetricRef extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "messages" add column "metric_ref" jsonb null;`);
  }
}
