import { AppError } from "@/lib/http/errors";
import { ArchiveError } from "./archive";

/** Maps a rejected archive or file set to a 422 naming the reason and the offending entry. */
export async function archiveProblem<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ArchiveError) {
      throw new AppError(422, `archive_${error.code}`, error.message, error.entry ? { entry: error.entry } : undefined);
    }
    throw error;
  }
}
