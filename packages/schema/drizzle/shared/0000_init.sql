CREATE SCHEMA "shared";
--> statement-breakpoint
CREATE TABLE "shared"."contact_info" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contact_id" uuid NOT NULL,
	"type" text NOT NULL,
	"value" text NOT NULL,
	"normalized_value" text NOT NULL,
	"label" text,
	"is_primary" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shared"."contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"first_name" text,
	"middle_name" text,
	"last_name" text,
	"nickname" text,
	"company" text,
	"job_title" text,
	"avatar_url" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "shared"."contact_info" ADD CONSTRAINT "contact_info_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "shared"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "contact_info_contact_type_value_key" ON "shared"."contact_info" USING btree ("contact_id","type","normalized_value");--> statement-breakpoint
CREATE INDEX "contact_info_type_value_idx" ON "shared"."contact_info" USING btree ("type","normalized_value");--> statement-breakpoint
CREATE INDEX "contacts_lower_name_idx" ON "shared"."contacts" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "contacts_lower_nickname_idx" ON "shared"."contacts" USING btree (lower("nickname"));--> statement-breakpoint
CREATE INDEX "contacts_lower_first_last_idx" ON "shared"."contacts" USING btree (lower("first_name" || ' ' || "last_name"));