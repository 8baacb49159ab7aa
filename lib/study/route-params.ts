import { z } from "zod";

export const studyIdParams = z.object({ studyId: z.uuid("not a study id") });
