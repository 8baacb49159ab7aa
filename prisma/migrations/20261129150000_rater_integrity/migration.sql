-- Per-session completion codes, and the server's own timing of each answer.

-- AlterTable
ALTER TABLE "RaterSession" ADD COLUMN "completionCode" TEXT,
ADD COLUMN "clientHash" TEXT;

-- AlterTable
ALTER TABLE "Response" ADD COLUMN "serverElapsedMs" DOUBLE PRECISION,
ADD COLUMN "tooFast" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE UNIQUE INDEX "RaterSession_completionCode_key" ON "RaterSession"("completionCode");

-- CreateIndex
CREATE INDEX "RaterSession_studyId_createdAt_idx" ON "RaterSession"("studyId", "createdAt");
