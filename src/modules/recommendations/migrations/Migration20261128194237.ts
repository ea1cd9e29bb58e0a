import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261128194237 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table if not exists "personalization_model_version" ("id" text not null, "status" text check ("status" in ('queued', 'running', 'skipped', 'failed', 'rejected', 'active', 'inactive')) not null default 'queued', "reason" text null, "recipe" jsonb null, "evaluation" jsonb null, "data" jsonb null, "lists" integer not null default 0, "progress" real not null default 0, "as_of" timestamptz null, "started_at" timestamptz null, "finished_at" timestamptz null, "duration_ms" integer null, "activated_at" timestamptz null, "pruned_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_model_version_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_model_version_deleted_at" ON "personalization_model_version" ("deleted_at") WHERE deleted_at IS NULL;`);
    // At most one active version: the store routes read its lists.
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_personalization_model_version_one_active" ON "personalization_model_version" ("status") WHERE status = 'active';`);

    this.addSql(`create table if not exists "personalization_recommendation_event" ("id" text not null, "day" text not null, "version_id" text not null, "list_type" text not null, "event_type" text check ("event_type" in ('impression', 'click', 'add_to_cart')) not null, "count" integer not null default 0, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_recommendation_event_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_recommendation_event_deleted_at" ON "personalization_recommendation_event" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_recommendation_event_version_id_day" ON "personalization_recommendation_event" ("version_id", "day");`);

    this.addSql(`create table if not exists "personalization_recommendation_list" ("id" text not null, "version_id" text not null, "kind" text check ("kind" in ('customer', 'related', 'bought_together', 'trending')) not null, "subject_id" text not null, "product_ids" text[] not null, "reasons" jsonb not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_recommendation_list_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_recommendation_list_deleted_at" ON "personalization_recommendation_list" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_recommendation_list_subject_id_kind_version_id" ON "personalization_recommendation_list" ("subject_id", "kind", "version_id");`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_recommendation_list_version_id" ON "personalization_recommendation_list" ("version_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "personalization_model_version" cascade;`);

    this.addSql(`drop table if exists "personalization_recommendation_event" cascade;`);

    this.addSql(`drop table if exists "personalization_recommendation_list" cascade;`);
  }

}
