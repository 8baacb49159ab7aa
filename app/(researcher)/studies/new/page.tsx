import { NewStudyForm } from "./new-study-form";

export default function NewStudyPage() {
  return (
    <div className="max-w-2xl">
      <h1 className="mb-2 text-2xl font-semibold">New study</h1>
      <p className="mb-6 text-sm text-neutral-600">
        The protocol starts as the paper&apos;s: 256×256 stimuli, sequential presentation (1000 ms, 600 ms blank, 1000 ms),
        10 practice trials with feedback, 40 test trials with 10% vigilance trials, one method per rater. You can change it
        until the study opens; then it is frozen and hashed.
      </p>
      <NewStudyForm />
    </div>
  );
}
