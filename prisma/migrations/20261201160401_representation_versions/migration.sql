-- AlterTable
ALTER TABLE "profiles" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "posts" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "accounts" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

