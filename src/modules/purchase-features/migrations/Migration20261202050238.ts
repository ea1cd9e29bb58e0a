import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261202050238 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "personalization_order" add column if not exists "fingerprint" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table if exists "personalization_order" drop column if exists "fingerprint";`);
  }

}
