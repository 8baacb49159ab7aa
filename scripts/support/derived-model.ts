// Where a command that derives one model from another (quantize-model, calibrate-colours) writes,
// and what it records about its source.
import { createHash } from "node:crypto";
import { basename, dirname, join, relative, resolve } from "node:path";
import { CliUsageError } from "./run-script";

/**
 * The manifest and model paths a derived model is written to: `--out` when given, else
 * `<source stem>-<suffix>.manifest.json` beside the source manifest, with the ONNX file beside it.
 * @throws CliUsageError when --out is not a .manifest.json or would overwrite the source model.
 */
export function derivedModelPaths(sourceManifest: string, sourceModel: string, out: string | undefined, suffix: string): { manifest: string; model: string } {
  const stem = basename(sourceManifest).replace(/\.manifest\.json$|\.json$/, "");
  const manifest = resolve(out ?? join(dirname(sourceManifest), `${stem}-${suffix}.manifest.json`));
  if (!manifest.endsWith(".manifest.json")) throw new CliUsageError("--out must name a .manifest.json file");
  const model = manifest.replace(/\.manifest\.json$/, ".onnx");
  if (model === resolve(sourceModel)) throw new CliUsageError("--out would overwrite the source model");
  return { manifest, model };
}

/** The source record of a derived manifest: the source's model file and manifest relative to the derived manifest, and the file's SHA-256. */
export function sourceRecord(sourceBytes: Uint8Array, sourceModel: string, sourceManifest: string, derivedManifest: string): { file: string; sha256: string; manifest: string } {
  return {
    file: relative(dirname(derivedManifest), sourceModel),
    sha256: createHash("sha256").update(sourceBytes).digest("hex"),
    manifest: relative(dirname(derivedManifest), resolve(sourceManifest)),
  };
}
