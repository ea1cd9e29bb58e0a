import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261128152404 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "personalization_segment" drop constraint if exists "personalization_segment_key_unique";`);
    this.addSql(`create table if not exists "personalization_customer_segment" ("customer_id" text not null, "segment_key" text not null, "run_id" text not null, "in_control" boolean not null default false, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_customer_segment_pkey" primary key ("customer_id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_customer_segment_deleted_at" ON "personalization_customer_segment" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_customer_segment_segment_key" ON "personalization_customer_segment" ("segment_key");`);

    this.addSql(`create table if not exists "personalization_segment" ("id" text not null, "key" text not null, "name" text not null, "description" text not null, "centre" jsonb not null, "size" integer not null, "run_id" text not null, "customer_group_id" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_segment_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_deleted_at" ON "personalization_segment" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_personalization_segment_key_unique" ON "personalization_segment" ("key");`);

    this.addSql(`create table if not exists "personalization_segmentation_run" ("id" text not null, "status" text check ("status" in ('queued', 'running', 'completed', 'skipped', 'failed')) not null default 'queued', "reason" text null, "as_of" timestamptz null, "customers" integer not null default 0, "k" integer null, "criterion" text null, "silhouette" real null, "inertia" real null, "scaling" jsonb null, "progress" real not null default 0, "duration_ms" integer null, "started_at" timestamptz null, "finished_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_segmentation_run_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segmentation_run_deleted_at" ON "personalization_segmentation_run" ("deleted_at") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "personalization_customer_segment" cascade;`);

    this.addSql(`drop table if exists "personalization_segment" cascade;`);

    this.addSql(`drop table if exists "personalization_segmentation_run" cascade;`);
  }

}
