// Alert rules that post into a session (alert_rules.conversation_id) and the messages they post
// (role 'alert', no author). No foreign key: a deleted conversation leaves the id behind and the
// rule simply stops posting, and the alert transaction never waits on a conversation's deletion.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261205100000AlertRuleConversation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "alert_rules" add column "conversation_id" uuid null;`);
    this.addSql(`alter table "messages" drop constraint "messages_role_check", add constraint "messages_role_check" check ("role" in ('user', 'assistant', 'alert'));`);
  }
}
