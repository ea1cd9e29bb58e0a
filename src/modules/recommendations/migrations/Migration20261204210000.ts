import { Migration } from "@medusajs/framework/mikro-orm/migrations";

/**
 * Nightly refreshes between full training runs (docs/architecture.md, "Full runs and nightly
 * refreshes"):
 * - `personalization_model_version.base_version_id`: a refresh version's full-run version. A
 *   refresh stores only the lists it rebuilt; what it lacks is read from its base.
 * - `personalization_model_similarity`: a full-run version's item-kNN neighbour rows, in parts
 *   (src/ml/pipeline/similarity-state.ts), which its refreshes reuse. Like the list table it
 *   is outside the data model: only the module's SQL reads and writes it, and it goes when
 *   the version is pruned.
 */
export class Migration20261204210000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "personalization_model_version" add column if not exists "base_version_id" text null;`);
    this.addSql(`create table if not exists "personalization_model_similarity" ("version_id" text not null, "part" integer not null, "bytes" bytea not null, constraint "personalization_model_similarity_pkey" primary key ("version_id", "part"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "personalization_model_similarity" cascade;`);
    this.addSql(`alter table if exists "personalization_model_version" drop column if exists "base_version_id";`);
  }

}
