// Runs a CLI's main function: known errors print their message only (no stack), others in full.
const plainErrors = new Set(["ConfigError", "DatabaseUnavailableError", "MigrationError", "DomainError", "ImageError", "ArchiveError", "CliUsageError", "BackupError", "StudyArchiveError"]);

export class CliUsageError extends Error {
  override name = "CliUsageError";
}

export function runScript(main: () => Promise<void>): void {
  main().then(
    () => process.exit(typeof process.exitCode === "number" ? process.exitCode : 0),
    (error: unknown) => {
      if (error instanceof Error && plainErrors.has(error.name)) console.error(`error: ${error.message}`);
      else console.error(error);
      process.exit(1);
    },
  );
}
