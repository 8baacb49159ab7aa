-- Colour-vision and display screening before practice: one row per screened session, and the
-- status of a session the screening ended.

-- AlterEnum
ALTER TYPE "SessionStatus" ADD VALUE 'screened_out';

-- CreateEnum
CREATE TYPE "ScreeningOutcome" AS ENUM ('passed', 'flagged', 'screened_out');

-- CreateTable
CREATE TABLE "RaterScreening" (
    "sessionId" TEXT NOT NULL,
    "seed" INTEGER NOT NULL,
    "colourVision" BOOLEAN NOT NULL,
    "display" BOOLEAN NOT NULL,
    "answers" JSONB,
    "outcome" "ScreeningOutcome",
    "protanFailed" BOOLEAN NOT NULL DEFAULT false,
    "deutanFailed" BOOLEAN NOT NULL DEFAULT false,
    "tritanFailed" BOOLEAN NOT NULL DEFAULT false,
    "controlFailed" BOOLEAN NOT NULL DEFAULT false,
    "displayFailed" BOOLEAN NOT NULL DEFAULT false,
    "windowFits" BOOLEAN,
    "detail" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "answeredAt" TIMESTAMP(3),

    CONSTRAINT "RaterScreening_pkey" PRIMARY KEY ("sessionId")
);

-- AddForeignKey
ALTER TABLE "RaterScreening" ADD CONSTRAINT "RaterScreening_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "RaterSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;
