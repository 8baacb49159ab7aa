import { getDb } from "@/lib/db/client";
import { requireResearcher } from "@/lib/auth/request";
import { route } from "@/lib/http/route";
import { formatRecruiterLedger, ledgerQuerySchema, readRecruiterLedger } from "@/lib/results/recruiter-ledger";
import { assertStudyAccess } from "@/lib/study/access";
import { studyIdParams } from "@/lib/study/route-params";

// GET /api/studies/{id}/ledger?recruiter=prolific|mturk|link — the recruiter ledger (CSV), for
// the study's team only; apart from the analysis export because it holds recruiter ids.
export const GET = route(async (request, context: { params: Promise<{ studyId: string }> }) => {
  const { studyId } = studyIdParams.parse(await context.params);
  const { recruiter } = ledgerQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const researcher = await requireResearcher(request);
  const db = await getDb();
  await assertStudyAccess(db, researcher, studyId);
  const csv = formatRecruiterLedger(await readRecruiterLedger(db, studyId), recruiter);
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="ledger-${recruiter}-${studyId}.csv"`,
      "cache-control": "no-store",
    },
  });
});
