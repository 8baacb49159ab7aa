// Next.js calls register() once per server start: resume any candidate generation that a
// previous process left unfinished.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { kickWorker } = await import("@/lib/methods/worker");
  kickWorker();
}
