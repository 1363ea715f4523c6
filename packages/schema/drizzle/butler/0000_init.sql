CREATE SCHEMA "__contacts_butler_schema__";
--> statement-breakpoint
CREATE TABLE "__contacts_butler_schema__"."activity_feed" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contact_id" uuid NOT NULL,
	"type" text NOT NULL,
	"description" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "__contacts_butler_schema__"."addresses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contact_id" uuid NOT NULL,
	"label" text DEFAULT 'Home' NOT NULL,
	"line_1" text NOT NULL,
	"line_2" text,
	"city" text,
	"province" text,
	"postal_code" text,
	"country" text,
	"is_current" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "addresses_country_iso" CHECK ("__contacts_butler_schema__"."addresses"."country" ~ '^[A-Z]{2}$')
);
--> statement-breakpoint
CREATE TABLE "__contacts_butler_schema__"."butler_secrets" (
	"secret_key" text PRIMARY KEY NOT NULL,
	"secret_value" text NOT NULL,
	"category" text DEFAULT 'general' NOT NULL,
	"description" text,
	"is_sensitive" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "__contacts_butler_schema__"."contact_labels" (
	"label_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contact_labels_pkey" PRIMARY KEY("label_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "__contacts_butler_schema__"."contacts_source_links" (
	"provider" text NOT NULL,
	"account_id" text NOT NULL,
	"external_contact_id" text NOT NULL,
	"local_contact_id" uuid,
	"source_etag" text,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "contacts_source_links_pkey" PRIMARY KEY("provider","account_id","external_contact_id")
);
--> statement-breakpoint
CREATE TABLE "__contacts_butler_schema__"."contacts_sync_failures" (
	"provider" text NOT NULL,
	"account_id" text NOT NULL,
	"external_contact_id" text NOT NULL,
	"error" text NOT NULL,
	"raw" jsonb,
	"attempts" integer DEFAULT 1 NOT NULL,
	"first_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contacts_sync_failures_pkey" PRIMARY KEY("provider","account_id","external_contact_id")
);
--> statement-breakpoint
CREATE TABLE "__contacts_butler_schema__"."contacts_sync_state" (
	"provider" text NOT NULL,
	"account_id" text NOT NULL,
	"sync_cursor" text,
	"cursor_issued_at" timestamp with time zone,
	"last_full_sync_at" timestamp with time zone,
	"last_incremental_sync_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"last_error" text,
	"checkpoint" jsonb,
	"lock_owner" text,
	"lock_expires_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contacts_sync_state_pkey" PRIMARY KEY("provider","account_id")
);
--> statement-breakpoint
CREATE TABLE "__contacts_butler_schema__"."important_dates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contact_id" uuid NOT NULL,
	"label" text NOT NULL,
	"month" integer NOT NULL,
	"day" integer NOT NULL,
	"year" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "important_dates_month_range" CHECK ("__contacts_butler_schema__"."important_dates"."month" between 1 and 12),
	CONSTRAINT "important_dates_day_range" CHECK ("__contacts_butler_schema__"."important_dates"."day" between 1 and 31)
);
--> statement-breakpoint
CREATE TABLE "__contacts_butler_schema__"."labels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"color" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "labels_name_key" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."activity_feed" ADD CONSTRAINT "activity_feed_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "shared"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."addresses" ADD CONSTRAINT "addresses_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "shared"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."contact_labels" ADD CONSTRAINT "contact_labels_label_id_labels_id_fk" FOREIGN KEY ("label_id") REFERENCES "__contacts_butler_schema__"."labels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."contact_labels" ADD CONSTRAINT "contact_labels_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "shared"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."contacts_source_links" ADD CONSTRAINT "contacts_source_links_local_contact_id_contacts_id_fk" FOREIGN KEY ("local_contact_id") REFERENCES "shared"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "__contacts_butler_schema__"."important_dates" ADD CONSTRAINT "important_dates_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "shared"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activity_feed_contact_created_idx" ON "__contacts_butler_schema__"."activity_feed" USING btree ("contact_id","created_at");--> statement-breakpoint
CREATE INDEX "activity_feed_created_idx" ON "__contacts_butler_schema__"."activity_feed" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "addresses_contact_idx" ON "__contacts_butler_schema__"."addresses" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "contact_labels_contact_idx" ON "__contacts_butler_schema__"."contact_labels" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "contacts_source_links_local_contact_idx" ON "__contacts_butler_schema__"."contacts_source_links" USING btree ("local_contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "important_dates_contact_label_day_key" ON "__contacts_butler_schema__"."important_dates" USING btree ("contact_id","label","month","day");