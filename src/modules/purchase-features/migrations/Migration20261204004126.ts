import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261204004126 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "personalization_rebuild_run" add column if not exists "mode" text check ("mode" in ('pages', 'bulk')) null, add column if not exists "aggregates_pending" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table if exists "personalization_rebuild_run" drop column if exists "mode", drop column if exists "aggregates_pending";`);
  }

}
