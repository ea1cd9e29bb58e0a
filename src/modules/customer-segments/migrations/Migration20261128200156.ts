import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261128200156 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "personalization_customer_segment" add column if not exists "buy_probability" real null, add column if not exists "expected_spend" real null;`);

    this.addSql(`alter table if exists "personalization_segmentation_run" add column if not exists "prediction_window_days" integer null, add column if not exists "prediction_currency_code" text null, add column if not exists "prediction_training_customers" integer null, add column if not exists "prediction_scored_customers" integer null, add column if not exists "prediction_validation" jsonb null, add column if not exists "prediction_reason" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table if exists "personalization_customer_segment" drop column if exists "buy_probability", drop column if exists "expected_spend";`);

    this.addSql(`alter table if exists "personalization_segmentation_run" drop column if exists "prediction_window_days", drop column if exists "prediction_currency_code", drop column if exists "prediction_training_customers", drop column if exists "prediction_scored_customers", drop column if exists "prediction_validation", drop column if exists "prediction_reason";`);
  }

}
