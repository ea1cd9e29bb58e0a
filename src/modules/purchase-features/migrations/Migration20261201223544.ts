import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261201223544 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "personalization_order" add column if not exists "promotion_ids" jsonb null, add column if not exists "discount_total" numeric null, add column if not exists "raw_discount_total" jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table if exists "personalization_order" drop column if exists "promotion_ids", drop column if exists "discount_total", drop column if exists "raw_discount_total";`);
  }

}
