import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261128135929 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table if not exists "personalization_customer_features" ("customer_id" text not null, "first_order_at" timestamptz not null, "last_order_at" timestamptz not null, "order_count" integer not null, "money_order_count" integer not null, "total_spend" numeric not null, "average_order_value" numeric not null, "currency_code" text not null, "item_quantity" integer not null, "distinct_products" integer not null, "raw_total_spend" jsonb not null, "raw_average_order_value" jsonb not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_customer_features_pkey" primary key ("customer_id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_customer_features_deleted_at" ON "personalization_customer_features" ("deleted_at") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "personalization_customer_product" ("id" text not null, "customer_id" text not null, "product_id" text not null, "order_count" integer not null, "quantity" integer not null, "first_purchased_at" timestamptz not null, "last_purchased_at" timestamptz not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_customer_product_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_customer_product_deleted_at" ON "personalization_customer_product" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_customer_product_customer_id" ON "personalization_customer_product" ("customer_id");`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_customer_product_product_id" ON "personalization_customer_product" ("product_id");`);

    this.addSql(`create table if not exists "personalization_order" ("id" text not null, "customer_id" text not null, "source_customer_id" text not null, "placed_at" timestamptz not null, "currency_code" text not null, "status" text not null, "counted" boolean not null, "amount" numeric not null, "item_quantity" integer not null, "version" integer not null, "raw_amount" jsonb not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_order_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_order_deleted_at" ON "personalization_order" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_order_customer_id_placed_at" ON "personalization_order" ("customer_id", "placed_at");`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_order_source_customer_id" ON "personalization_order" ("source_customer_id");`);

    this.addSql(`create table if not exists "personalization_order_line" ("id" text not null, "order_id" text not null, "customer_id" text not null, "product_id" text not null, "quantity" integer not null, "amount" numeric not null, "placed_at" timestamptz not null, "raw_amount" jsonb not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_order_line_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_order_line_deleted_at" ON "personalization_order_line" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_order_line_order_id" ON "personalization_order_line" ("order_id");`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_order_line_customer_id_product_id" ON "personalization_order_line" ("customer_id", "product_id");`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_order_line_product_id" ON "personalization_order_line" ("product_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "personalization_customer_features" cascade;`);

    this.addSql(`drop table if exists "personalization_customer_product" cascade;`);

    this.addSql(`drop table if exists "personalization_order" cascade;`);

    this.addSql(`drop table if exists "personalization_order_line" cascade;`);
  }

}
