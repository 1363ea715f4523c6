CREATE TABLE "shared"."upstream_pauses" (
	"upstream" text PRIMARY KEY NOT NULL,
	"until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shared"."upstream_slots" (
	"upstream" text NOT NULL,
	"slot" integer NOT NULL,
	"owner" text NOT NULL,
	"token" uuid NOT NULL,
	"lease_until" timestamp with time zone NOT NULL,
	CONSTRAINT "upstream_slots_upstream_slot_pk" PRIMARY KEY("upstream","slot")
);
