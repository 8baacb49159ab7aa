import "server-only";
import type { ResearcherView } from "@/lib/auth/accounts";
import type { Db } from "@/lib/db/client";
import { assertStudyAccess } from "@/lib/study/access";
import type { studyProgress } from "@/lib/study/studies";
import { writeMethodsParagraph } from "./methods-paragraph";
import type { ImageResult, RaterResult, StudyResults } from "./result-types";
import { getStudyResults } from "./study-results";

/** Gallery images shown per method (the most fooling first); all are in the JSON export. */
export const DASHBOARD_IMAGES_PER_METHOD = 12;
/** Rater rows shown (excluded and incomplete first); all are in the exports. */
export const DASHBOARD_RATER_ROWS = 50;

export type StudyProgress = Awaited<ReturnType<typeof studyProgress>>;

/**
 * The fast part of the dashboard: the access check (404 unknown, 403 another team's) and the
 * study's name and status. Progress is fetched by the browser from /api/studies/{id}/progress.
 */
export async function loadDashboardStudy(db: Db, researcher: ResearcherView, studyId: string) {
  await assertStudyAccess(db, researcher, studyId);
  return db.study.findUniqueOrThrow({ where: { id: studyId }, select: { id: true, name: true, status: true } });
}

export interface DashboardResults extends Omit<StudyResults, "images" | "raters"> {
  /** Per method, the first {@link DASHBOARD_IMAGES_PER_METHOD} images by fool rate. */
  gallery: { methodId: string; methodName: string; total: number; images: ImageResult[] }[];
  raters: RaterResult[];
  raterTotal: number;
  methodsParagraph: string;
}

/**
 * The figures the dashboard shows, trimmed to what a page can carry (a million-response study has
 * thousands of raters and images; the exports carry them all). The caller has checked access.
 */
export async function loadDashboardResults(db: Db, studyId: string): Promise<DashboardResults> {
  const results = await getStudyResults(db, studyId);
  const { images, raters, ...rest } = results;
  const gallery = results.methods.map((method) => {
    const own = images.filter((image) => image.methodId === method.id);
    return { methodId: method.id, methodName: method.name, total: own.length, images: own.slice(0, DASHBOARD_IMAGES_PER_METHOD) };
  });
  return {
    ...rest,
    gallery,
    raters: raters.slice(0, DASHBOARD_RATER_ROWS),
    raterTotal: raters.length,
    methodsParagraph: writeMethodsParagraph(results),
  };
}
