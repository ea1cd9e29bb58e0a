import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261201202639 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table if not exists "personalization_model_product" ("id" text not null, "version_id" text not null, "index" integer not null, "product_id" text not null, "buyers" integer not null default 0, "recent_buyers" integer not null default 0, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_model_product_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_model_product_deleted_at" ON "personalization_model_product" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_personalization_model_product_version_id_index_unique" ON "personalization_model_product" ("version_id", "index");`);

    this.addSql(`create table if not exists "personalization_rate_window" ("id" text not null, "bucket" text not null, "slot" integer not null, "count" integer not null default 0, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_rate_window_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_rate_window_deleted_at" ON "personalization_rate_window" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_rate_window_bucket_slot" ON "personalization_rate_window" ("bucket", "slot");`);

    this.addSql(`create table if not exists "personalization_served_event" ("id" text not null, "expires_at" timestamptz not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_served_event_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_served_event_deleted_at" ON "personalization_served_event" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_served_event_expires_at" ON "personalization_served_event" ("expires_at");`);

    this.addSql(`alter table if exists "personalization_recommendation_event" drop constraint if exists "personalization_recommendation_event_event_type_check";`);

    this.addSql(`alter table if exists "personalization_recommendation_event" add constraint "personalization_recommendation_event_event_type_check" check("event_type" in ('impression', 'click', 'add_to_cart', 'click_without_impression', 'add_to_cart_without_impression'));`);

    // Lists are stored as product indexes with reason codes (list-format.ts) instead of ids and
    // English text. Lists of the old format cannot be read by the new code: they go, and every
    // version is left without lists (inactive, pruned), so the store serves trending products
    // until the next training run stores a version in the new format.
    this.addSql(`delete from "personalization_recommendation_list";`);
    this.addSql(`update "personalization_model_version" set "status" = case when "status" = 'active' then 'inactive' else "status" end, "lists" = 0, "pruned_at" = coalesce("pruned_at", now()) where "lists" > 0 or "status" = 'active';`);
    this.addSql(`alter table if exists "personalization_recommendation_list" drop column if exists "product_ids", drop column if exists "reasons";`);
    this.addSql(`alter table if exists "personalization_recommendation_list" add column if not exists "items" bytea not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "personalization_model_product" cascade;`);

    this.addSql(`drop table if exists "personalization_rate_window" cascade;`);

    this.addSql(`drop table if exists "personalization_served_event" cascade;`);

    this.addSql(`alter table if exists "personalization_recommendation_event" drop constraint if exists "personalization_recommendation_event_event_type_check";`);

    this.addSql(`alter table if exists "personalization_recommendation_event" add constraint "personalization_recommendation_event_event_type_check" check("event_type" in ('impression', 'click', 'add_to_cart'));`);

    this.addSql(`delete from "personalization_recommendation_list";`);
    this.addSql(`alter table if exists "personalization_recommendation_list" drop column if exists "items";`);
    this.addSql(`alter table if exists "personalization_recommendation_list" add column if not exists "product_ids" text[] not null, add column if not exists "reasons" jsonb not null;`);
  }

}
