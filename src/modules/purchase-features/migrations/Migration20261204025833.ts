import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261204025833 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "personalization_rebuild_run" drop constraint if exists "personalization_rebuild_run_mode_check";`);

    this.addSql(`alter table if exists "personalization_rebuild_run" add column if not exists "changes_since" timestamptz null;`);
    this.addSql(`alter table if exists "personalization_rebuild_run" add constraint "personalization_rebuild_run_mode_check" check("mode" in ('pages', 'bulk', 'changes'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table if exists "personalization_rebuild_run" drop constraint if exists "personalization_rebuild_run_mode_check";`);

    this.addSql(`alter table if exists "personalization_rebuild_run" drop column if exists "changes_since";`);

    this.addSql(`alter table if exists "personalization_rebuild_run" add constraint "personalization_rebuild_run_mode_check" check("mode" in ('pages', 'bulk'));`);
  }

}
