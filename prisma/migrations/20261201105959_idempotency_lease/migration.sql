-- AlterTable
ALTER TABLE "idempotency_records" ADD COLUMN     "lease_expires_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

