import Link from "next/link";
import { requireResearcherPage } from "@/lib/auth/request";
import { getDb } from "@/lib/db/client";
import { listStudies } from "@/lib/study/list-studies";

export default async function StudiesPage() {
  const researcher = await requireResearcherPage();
  const studies = await listStudies(await getDb(), researcher);
  return (
    <div>
      <div className="mb-6 flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Studies</h1>
        <Link href="/studies/new" className="rounded bg-neutral-900 px-4 py-2 text-white">New study</Link>
      </div>
      {studies.length === 0 ? (
        <p className="rounded border border-dashed border-neutral-300 p-8 text-center text-neutral-600" data-testid="no-studies">
          No studies yet. Create one to upload stimuli, choose methods and recruit raters.
        </p>
      ) : (
        <table className="w-full border-collapse bg-white text-left text-sm" data-testid="studies-table">
          <thead>
            <tr className="border-b">
              <th className="p-2">Name</th><th className="p-2">Status</th><th className="p-2">Stimuli</th>
              <th className="p-2">Methods</th><th className="p-2">Sessions</th><th className="p-2">Owner</th>
            </tr>
          </thead>
          <tbody>
            {studies.map((study) => (
              <tr key={study.id} className="border-b">
                <td className="p-2"><Link className="underline" href={`/studies/${study.id}`}>{study.name}</Link></td>
                <td className="p-2">{study.status}</td>
                <td className="p-2">{study.stimuli}</td>
                <td className="p-2">{study.methods}</td>
                <td className="p-2">{study.sessions}</td>
                <td className="p-2">{study.ownerName}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
