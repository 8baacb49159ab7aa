-- Single-image trials (one photo, "real or fake?") and adaptive exposure (the staircase's
-- exposure per trial), beside the paired trials.

-- AlterTable
ALTER TABLE "Trial" ADD COLUMN "showsReal" BOOLEAN,
ADD COLUMN "exposureMs" INTEGER,
ALTER COLUMN "rightToken" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Response" ADD COLUMN "judgedReal" BOOLEAN,
ALTER COLUMN "chosenSide" DROP NOT NULL;
