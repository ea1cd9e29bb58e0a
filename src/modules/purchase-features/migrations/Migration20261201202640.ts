import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261201202640 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table if not exists "personalization_rebuild_run" ("id" text not null, "status" text check ("status" in ('queued', 'running', 'completed', 'skipped', 'failed')) not null default 'queued', "reason" text null, "total_orders" integer null, "orders" integer not null default 0, "removed" integer not null default 0, "pages" integer not null default 0, "progress" real not null default 0, "started_at" timestamptz null, "finished_at" timestamptz null, "duration_ms" integer null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_rebuild_run_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_rebuild_run_deleted_at" ON "personalization_rebuild_run" ("deleted_at") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "personalization_rebuild_run" cascade;`);
  }

}
