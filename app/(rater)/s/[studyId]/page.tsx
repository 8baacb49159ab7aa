import type { Metadata } from "next";
import { cookies } from "next/headers";
import { notFound } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { pickRecruiterParams } from "@/lib/rater-client/recruiter-params";
import { getPublicStudy } from "@/lib/study/public-study";
import { isMturkPreview } from "@/lib/study/recruiter-identity";
import { raterCookieName } from "@/lib/study/rater-request";
import { RaterApp } from "./rater-app";
import { ExampleChoice, StudyDescription } from "./study-description";

export const dynamic = "force-dynamic";

// Nothing about the study (its name could name the methods) goes into the title.
export const metadata: Metadata = { title: "Colour photo study" };

/**
 * The study link raters open (`/s/{studyId}?…recruiter parameters`). Server side: the public
 * study only (no methods, no images). Unknown → 404; a draft → not open; MTurk's preview →
 * instructions and an example, nothing started; otherwise the client app, which asks the server
 * whether this browser already holds a session (a paused or closed study still lets a returning
 * rater see where they stand).
 */
export default async function StudyEntryPage({
  params,
  searchParams,
}: {
  params: Promise<{ studyId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { studyId } = await params;
  const study = await getPublicStudy(await getDb(), studyId);
  if (!study) notFound();
  const recruiterParams = pickRecruiterParams(await searchParams);

  if (study.status === "draft") {
    return (
      <main className="mx-auto max-w-xl space-y-4 px-4 py-16" data-testid="study-closed" data-reason="draft">
        <h1 className="text-2xl font-semibold">This study is not open yet</h1>
        <p>Please come back when the researchers have opened it.</p>
      </main>
    );
  }

  if (isMturkPreview(recruiterParams)) {
    return (
      <main className="mx-auto max-w-2xl space-y-6 px-4 py-10" data-testid="mturk-preview">
        <h1 className="text-2xl font-semibold">Which photo has the real colours?</h1>
        {study.status === "open" ? (
          <p className="rounded bg-amber-50 px-3 py-2 text-sm text-amber-900">This is a preview. Accept the HIT to begin.</p>
        ) : (
          <p className="rounded bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="study-closed">
            This study is not taking participants now.
          </p>
        )}
        <StudyDescription protocol={study.protocol} />
        <ExampleChoice />
        <section className="space-y-2 rounded border border-neutral-200 bg-white p-4">
          <h2 className="font-semibold">Consent</h2>
          <p className="whitespace-pre-line text-sm">{study.protocol.consent}</p>
        </section>
      </main>
    );
  }

  const hasSessionCookie = (await cookies()).has(raterCookieName(study.id));
  return <RaterApp studyId={study.id} studyStatus={study.status} protocol={study.protocol} params={recruiterParams} hasSessionCookie={hasSessionCookie} />;
}
