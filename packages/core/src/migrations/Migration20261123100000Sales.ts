// The demo sales data set: products, inventory levels and sales orders, each scoped by workspace.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261123100000Sales extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "products" ("id" uuid not null, "workspace_id" uuid not null, "sku" varchar(32) not null, "name" varchar(120) not null, "category" varchar(60) not null, "unit_price" numeric(12,2) not null, "unit_cost" numeric(12,2) not null, constraint "products_pkey" primary key ("id"));`);
    this.addSql(`alter table "products" add constraint "products_workspace_id_sku_unique" unique ("workspace_id", "sku");`);
    this.addSql(`create table "inventory_levels" ("product_id" uuid not null, "workspace_id" uuid not null, "on_hand" int not null, "reorder_point" int not null, "avg_daily_units" numeric(10,2) not null, constraint "inventory_levels_pkey" primary key ("product_id"));`);
    this.addSql(`create index "inventory_levels_workspace_id_index" on "inventory_levels" ("workspace_id");`);
    this.addSql(`alter table "inventory_levels" add constraint "inventory_levels_product_id_foreign" foreign key ("product_id") references "products" ("id") on update cascade on delete cascade;`);
    this.addSql(`create table "sales_orders" ("id" bigserial primary key, "workspace_id" uuid not null, "product_id" uuid not null, "ordered_at" timestamptz not null, "units" int not null, "revenue" numeric(12,2) not null, "cost" numeric(12,2) not null);`);
    this.addSql(`create index "sales_orders_workspace_id_ordered_at_index" on "sales_orders" ("workspace_id", "ordered_at");`);
    this.addSql(`create index "sales_orders_workspace_id_product_id_index" on "sales_orders" ("workspace_id", "product_id");`);
    this.addSql(`alter table "sales_orders" add constraint "sales_orders_product_id_foreign" foreign key ("product_id") references "products" ("id") on update cascade on delete cascade;`);
  }
}
