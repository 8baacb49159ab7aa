import { z } from "zod";
import type { Db } from "@/lib/db/client";
import type { ResearcherView } from "@/lib/auth/accounts";
import { notFound } from "@/lib/errors";
import { loadDraftStudy } from "@/lib/study/access";
import { baselineNames } from "@/lib/study/method-config";
import { enqueueGeneration } from "./generation";

export const addMethodSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("model"),
    model: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "a model name from the models folder"),
    name: z.string().trim().min(1).max(100).optional(),
    temperature: z.number().positive().max(10).optional(),
    tested: z.boolean().default(true),
  }),
  z.object({
    kind: z.literal("baseline"),
    baseline: z.enum(baselineNames),
    name: z.string().trim().min(1).max(100).optional(),
    /** Random is the vigilance foil and is not tested unless asked; other baselines are tested. */
    tested: z.boolean().optional(),
  }),
]);

export type AddMethodInput = z.infer<typeof addMethodSchema>;

const baselineTitles = { "ground-truth": "Ground truth", gray: "Gray", random: "Random" } as const;

/**
 * Adds a model or baseline method to a study that is not closed and queues the generation of
 * its candidates. `modelExists` checks the model name against the models folder.
 */
export async function addGeneratedMethod(db: Db, researcher: ResearcherView, studyId: string, input: AddMethodInput, modelExists: (name: string) => Promise<boolean>) {
  await loadDraftStudy(db, researcher, studyId, "Methods can only be added while the study is a draft.");
  if (input.kind === "model" && !(await modelExists(input.model))) throw notFound(`Model "${input.model}"`);
  const name = input.name ?? (input.kind === "model" ? input.model : baselineTitles[input.baseline]);
  const config =
    input.kind === "model"
      ? { model: input.model, temperature: input.temperature, tested: input.tested }
      : { baseline: input.baseline, tested: input.tested ?? input.baseline !== "random" };
  const method = await db.method.create({
    data: { studyId, name, kind: input.kind, config },
    select: { id: true, name: true, kind: true, status: true },
  });
  await enqueueGeneration(db, studyId, method.id);
  return method;
}

/** After stimuli change, generated methods need their missing candidates: queue them again. */
export async function requeueGeneratedMethods(db: Db, studyId: string): Promise<void> {
  const methods = await db.method.findMany({ where: { studyId, kind: { in: ["model", "baseline"] } }, select: { id: true } });
  for (const method of methods) await enqueueGeneration(db, studyId, method.id);
}
