export default function StudyNotFound() {
  return (
    <main className="mx-auto max-w-xl space-y-4 px-4 py-16" data-testid="study-not-found">
      <h1 className="text-2xl font-semibold">Study not found</h1>
      <p>This study link is not valid. Please open the study from the link you were given.</p>
    </main>
  );
}
