import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261201202642 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index if exists "IDX_personalization_customer_segment_segment_key";`);
    this.addSql(`alter table if exists "personalization_customer_segment" drop constraint if exists "personalization_customer_segment_pkey";`);

    // Memberships are kept per run now (id "<run>:<customer>"); existing rows belong to their run.
    this.addSql(`alter table if exists "personalization_customer_segment" add column if not exists "id" text null;`);
    this.addSql(`update "personalization_customer_segment" set "id" = "run_id" || ':' || "customer_id" where "id" is null;`);
    this.addSql(`alter table if exists "personalization_customer_segment" alter column "id" set not null;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_customer_segment_customer_id" ON "personalization_customer_segment" ("customer_id");`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_customer_segment_run_id_segment_key_customer_id" ON "personalization_customer_segment" ("run_id", "segment_key", "customer_id");`);
    this.addSql(`alter table if exists "personalization_customer_segment" add constraint "personalization_customer_segment_pkey" primary key ("id");`);

    this.addSql(`drop index if exists "IDX_personalization_segment_key_unique";`);

    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_personalization_segment_run_id_key_unique" ON "personalization_segment" ("run_id", "key");`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_key" ON "personalization_segment" ("key");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "IDX_personalization_customer_segment_customer_id";`);
    this.addSql(`drop index if exists "IDX_personalization_customer_segment_run_id_segment_key_customer_id";`);
    this.addSql(`alter table if exists "personalization_customer_segment" drop constraint if exists "personalization_customer_segment_pkey";`);
    this.addSql(`alter table if exists "personalization_customer_segment" drop column if exists "id";`);

    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_customer_segment_segment_key" ON "personalization_customer_segment" ("segment_key");`);
    this.addSql(`alter table if exists "personalization_customer_segment" add constraint "personalization_customer_segment_pkey" primary key ("customer_id");`);

    this.addSql(`drop index if exists "IDX_personalization_segment_run_id_key_unique";`);
    this.addSql(`drop index if exists "IDX_personalization_segment_key";`);

    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_personalization_segment_key_unique" ON "personalization_segment" ("key");`);
  }

}
