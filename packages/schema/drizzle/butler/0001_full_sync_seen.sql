CREATE TABLE "__contacts_butler_schema__"."contacts_sync_seen" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"account_id" text NOT NULL,
	"external_ids" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."contacts_sync_state" ADD COLUMN "last_error_code" text;--> statement-breakpoint
CREATE INDEX "contacts_sync_seen_account_idx" ON "__contacts_butler_schema__"."contacts_sync_seen" USING btree ("provider","account_id");