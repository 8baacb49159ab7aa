import { z } from "zod";

export const studyIdParams = z.object({ studyId: z.uuid("not a study id") });
export const methodIdParams = z.object({ studyId: z.uuid("not a study id"), methodId: z.uuid("not a method id") });
