import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261202042114 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table if not exists "personalization_tombstone" ("id" text not null, "removed_at" timestamptz not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_tombstone_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_tombstone_deleted_at" ON "personalization_tombstone" ("deleted_at") WHERE deleted_at IS NULL;`);

    this.addSql(`alter table if exists "personalization_order" add column if not exists "read_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "personalization_tombstone" cascade;`);

    this.addSql(`alter table if exists "personalization_order" drop column if exists "read_at";`);
  }

}
