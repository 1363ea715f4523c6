ALTER TABLE "__contacts_butler_schema__"."contacts_sync_state" ADD COLUMN "next_incremental_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."contacts_sync_state" ADD COLUMN "next_full_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."contacts_sync_state" ADD COLUMN "consecutive_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."contacts_sync_state" ADD COLUMN "retry_after" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."contacts_sync_state" ADD COLUMN "parked_reason" text;--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."contacts_sync_state" ADD COLUMN "parked_credentials" text;--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."contacts_sync_state" ADD CONSTRAINT "contacts_sync_state_parked_reason" CHECK ("__contacts_butler_schema__"."contacts_sync_state"."parked_reason" in ('auth', 'disabled'));--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."contacts_sync_state" ADD CONSTRAINT "contacts_sync_state_consecutive_failures" CHECK ("__contacts_butler_schema__"."contacts_sync_state"."consecutive_failures" >= 0);