-- CreateEnum
CREATE TYPE "ReportReason" AS ENUM ('SPAM', 'FRAUD', 'OFFENSIVE', 'OTHER');

-- CreateEnum
CREATE TYPE "ReportStatus" AS ENUM ('open', 'resolved');

-- CreateEnum
CREATE TYPE "ReportAction" AS ENUM ('DISMISS', 'HIDE_POST');

-- DropIndex
DROP INDEX "posts_created_at_id_idx";

-- DropIndex
DROP INDEX "posts_price_id_idx";

-- DropIndex
DROP INDEX "posts_city_key_created_at_id_idx";

-- DropIndex
DROP INDEX "posts_city_key_price_id_idx";

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "suspended_at" TIMESTAMPTZ(3),
ADD COLUMN     "suspended_reason" TEXT;

-- AlterTable
ALTER TABLE "posts" ADD COLUMN     "author_suspended_at" TIMESTAMPTZ(3),
ADD COLUMN     "hidden_at" TIMESTAMPTZ(3),
-- Generated: neither hidden by moderation nor written by a suspended author. Every public read and
-- list of posts filters on it, and the list indexes below start with it.
ADD COLUMN     "visible" BOOLEAN GENERATED ALWAYS AS ("hidden_at" IS NULL AND "author_suspended_at" IS NULL) STORED;

-- CreateTable
CREATE TABLE "reports" (
    "id" UUID NOT NULL,
    "post_id" UUID NOT NULL,
    "reporter_id" UUID NOT NULL,
    "reason" "ReportReason" NOT NULL,
    "note" TEXT,
    "status" "ReportStatus" NOT NULL DEFAULT 'open',
    "open" BOOLEAN DEFAULT true,
    "action" "ReportAction",
    "resolution_note" TEXT,
    "resolved_by_id" UUID,
    "resolved_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" UUID,
    "target_type" TEXT NOT NULL,
    "target_id" UUID,
    "account_id" UUID,
    "ip" TEXT,
    "request_id" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reports_status_created_at_id_idx" ON "reports"("status", "created_at", "id");

-- CreateIndex
CREATE INDEX "reports_reporter_id_idx" ON "reports"("reporter_id");

-- CreateIndex
CREATE INDEX "reports_resolved_by_id_idx" ON "reports"("resolved_by_id");

-- CreateIndex
CREATE UNIQUE INDEX "reports_post_id_reporter_id_open_key" ON "reports"("post_id", "reporter_id", "open");

-- CreateIndex
CREATE INDEX "audit_events_at_id_idx" ON "audit_events"("at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_actor_id_at_id_idx" ON "audit_events"("actor_id", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_target_id_at_id_idx" ON "audit_events"("target_id", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_action_at_id_idx" ON "audit_events"("action", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_account_id_at_id_idx" ON "audit_events"("account_id", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "posts_visible_created_at_id_idx" ON "posts"("visible", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "posts_visible_price_id_idx" ON "posts"("visible", "price", "id");

-- CreateIndex
CREATE INDEX "posts_visible_city_key_created_at_id_idx" ON "posts"("visible", "city_key", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "posts_visible_city_key_price_id_idx" ON "posts"("visible", "city_key", "price", "id");

-- AddForeignKey
ALTER TABLE "reports" ADD CONSTRAINT "reports_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reports" ADD CONSTRAINT "reports_reporter_id_fkey" FOREIGN KEY ("reporter_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reports" ADD CONSTRAINT "reports_resolved_by_id_fkey" FOREIGN KEY ("resolved_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- The audit log is append-only: nothing changes an event once written (the purge deletes whole ones).
-- The body is an escape string with its semicolon as \073: Prisma's migrate splits scripts at semicolons.
CREATE FUNCTION "audit_events_refuse_update"() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN RAISE EXCEPTION ''audit events are append-only'' USING ERRCODE = ''42501''\073 END';

CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "audit_events_refuse_update"();

-- A post written for a suspended author (by an API key of their account) is withheld from its first
-- row on, like the rest of theirs. FOR SHARE waits for a suspension in flight on the author's row.
CREATE FUNCTION "posts_copy_author_suspension"() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN NEW.author_suspended_at := (SELECT suspended_at FROM users WHERE id = NEW.author_id FOR SHARE)\073 RETURN NEW\073 END';

CREATE TRIGGER "posts_author_suspension" BEFORE INSERT ON "posts"
  FOR EACH ROW EXECUTE FUNCTION "posts_copy_author_suspension"();
