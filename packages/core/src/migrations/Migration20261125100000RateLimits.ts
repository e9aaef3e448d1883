// Counters of the sign-in and registration limits in embedded mode (services mode keeps them in
// Redis). The shape is rate-limiter-flexible's RateLimiterPostgres table (auth/limiter-store.ts).
import { Migration } from '@mikro-orm/migrations';

export class Migration20261125100000RateLimits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "rate_limits" ("key" text not null primary key, "points" integer not null default 0, "expire" bigint null);`);
  }
}
