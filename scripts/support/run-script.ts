import { rename, unlink, writeFile } from "node:fs/promises";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { z } from "zod";

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

type FlagOptions = NonNullable<ParseArgsConfig["options"]>;

/**
 * A script's `--flag` options (no positionals) read with node:util's parseArgs, plus `--help`/`-h`:
 * null when help was asked (the usage is printed), a CliUsageError carrying the usage for an
 * unknown or malformed flag.
 */
export function readFlags(options: FlagOptions, usage: string): Record<string, string | boolean | (string | boolean)[] | undefined> | null {
  let values;
  try {
    values = parseArgs({ options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message}\n${usage}`);
  }
  if (values.help) {
    console.log(usage);
    return null;
  }
  return values;
}

/** The flags checked by a zod schema; its issues become one CliUsageError naming each flag. */
export function checkFlags<S extends z.ZodType>(schema: S, input: unknown, usage: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new CliUsageError(`${parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}\n${usage}`);
  return parsed.data;
}

/** Writes through a temporary name and renames, so a reader never sees a partial file. */
export async function writeAtomically(path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${path}.partial-${process.pid}`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
}
