import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261201223543 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table if not exists "personalization_segment_campaign" ("id" text not null, "name" text not null, "description" text null, "status" text check ("status" in ('draft', 'active', 'ended')) not null default 'draft', "segment_key" text not null, "segment_name" text not null, "segmentation_run_id" text not null, "control_share" real not null, "starts_at" timestamptz not null, "ends_at" timestamptz not null, "promotion" jsonb not null, "currency_code" text not null, "promotion_id" text null, "promotion_code" text null, "medusa_campaign_id" text null, "customer_group_id" text null, "treatment_count" integer not null default 0, "control_count" integer not null default 0, "excluded" jsonb not null, "left_treatment" integer not null default 0, "left_control" integer not null default 0, "message" jsonb null, "ended_at" timestamptz null, "report" jsonb null, "report_computed_at" timestamptz null, "created_by" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_segment_campaign_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_campaign_deleted_at" ON "personalization_segment_campaign" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_campaign_status" ON "personalization_segment_campaign" ("status");`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_campaign_promotion_id" ON "personalization_segment_campaign" ("promotion_id");`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_campaign_medusa_campaign_id" ON "personalization_segment_campaign" ("medusa_campaign_id");`);

    this.addSql(`create table if not exists "personalization_segment_campaign_day" ("id" text not null, "campaign_id" text not null, "day" timestamptz not null, "arm" text check ("arm" in ('treatment', 'control')) not null, "customers" integer not null, "buyers" integer not null, "orders" integer not null, "revenue" real not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_segment_campaign_day_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_campaign_day_deleted_at" ON "personalization_segment_campaign_day" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_campaign_day_campaign_id_day" ON "personalization_segment_campaign_day" ("campaign_id", "day");`);

    this.addSql(`create table if not exists "personalization_segment_campaign_member" ("id" text not null, "campaign_id" text not null, "customer_id" text not null, "arm" text check ("arm" in ('treatment', 'control')) not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_segment_campaign_member_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_campaign_member_deleted_at" ON "personalization_segment_campaign_member" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_campaign_member_campaign_id_arm_customer_id" ON "personalization_segment_campaign_member" ("campaign_id", "arm", "customer_id");`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_campaign_member_customer_id" ON "personalization_segment_campaign_member" ("customer_id");`);

    this.addSql(`create table if not exists "personalization_segment_campaign_message" ("id" text not null, "campaign_id" text not null, "customer_id" text not null, "status" text check ("status" in ('success', 'failure')) not null, "notification_id" text null, "error" text null, "attempts" integer not null default 1, "sent_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_segment_campaign_message_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_campaign_message_deleted_at" ON "personalization_segment_campaign_message" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_campaign_message_campaign_id_status" ON "personalization_segment_campaign_message" ("campaign_id", "status");`);

    this.addSql(`create table if not exists "personalization_segment_campaign_send" ("id" text not null, "campaign_id" text not null, "status" text check ("status" in ('queued', 'running', 'completed', 'failed')) not null default 'queued', "total" integer not null default 0, "processed" integer not null default 0, "sent" integer not null default 0, "failed" integer not null default 0, "skipped" integer not null default 0, "error" text null, "started_at" timestamptz null, "finished_at" timestamptz null, "heartbeat_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "personalization_segment_campaign_send_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_campaign_send_deleted_at" ON "personalization_segment_campaign_send" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_personalization_segment_campaign_send_campaign_id" ON "personalization_segment_campaign_send" ("campaign_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "personalization_segment_campaign" cascade;`);

    this.addSql(`drop table if exists "personalization_segment_campaign_day" cascade;`);

    this.addSql(`drop table if exists "personalization_segment_campaign_member" cascade;`);

    this.addSql(`drop table if exists "personalization_segment_campaign_message" cascade;`);

    this.addSql(`drop table if exists "personalization_segment_campaign_send" cascade;`);
  }

}
