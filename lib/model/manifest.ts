/**
 * The model manifest: a JSON file beside the `.onnx` that says how to feed the network and how to
 * read its output. Training (training/export) writes it; third-party exports of the original
 * ECCV16/SIGGRAPH17 models are described by hand without code changes, e.g. the PyTorch port's
 * ECCV16 export (ab × 110 at full input resolution):
 *
 *   { "schemaVersion": 1, "name": "eccv16", "file": "eccv16.onnx",
 *     "input": { "name": "input", "layout": "NCHW", "height": 256, "width": 256,
 *                "lNormalization": { "offset": -50, "scale": 0.01 } },
 *     "output": { "name": "output", "kind": "ab", "stride": 1, "abScale": 110 } }
 *
 * Contract:
 * - model input = (L + offset) · scale, L in 0..100, one channel; layout "NCHW" ([N,1,H,W]) or
 *   "NHWC" ([N,H,W,1]); height × width is the network's input size.
 * - output.kind: "logits" or "probabilities" (one channel per bin, decoded with the annealed mean),
 *   or "ab" (two channels, ab = output · abScale, default abScale 1).
 * - output.stride = input size / output size (4 for the ECCV16 trunk, 1 after ×4 upsampling).
 * - output layout follows input.layout unless output.layout says otherwise.
 * - bins.source: "grid10-in-gamut" (the 313 bins of lib/model/ab-bins.ts, in their order) or
 *   "inline" with `centres` ([a, b] per output channel, any count). Required for logits and
 *   probabilities.
 * - decoding.temperature: the default annealed-mean temperature (0.38 when absent).
 * - quantization (optional): the file is a quantized copy of a float model (`npm run
 *   quantize-model`, lib/model/quantize.ts): which float file (`source.file`, relative to the
 *   manifest's folder, with its SHA-256), the calibration images (folder, count, method) and what
 *   stayed in float. The benchmark runs PyTorch on the source; nothing else reads it.
 */
import { readFile, stat } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { AB_BINS, centresFromPairs } from "./ab-bins";
import { DEFAULT_TEMPERATURE } from "./annealed-mean";
import { ModelError } from "./errors";

const layoutSchema = z.enum(["NCHW", "NHWC"]);

/** The model file a derived model was made from: its path (relative to the manifest), hash and manifest. */
const sourceModelSchema = z.object({
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "a hex SHA-256"),
  manifest: z.string().min(1).optional(),
});

const quantizationSchema = z.object({
  precision: z.literal("int8"),
  /** The float model this file was quantized from. */
  source: sourceModelSchema,
  weights: z.string().min(1),
  activations: z.string().min(1),
  calibration: z.object({
    /** Where the calibration photos came from (a folder as given to the command). */
    images: z.string().min(1),
    count: z.number().int().positive(),
    /** The input size the photos were reduced to (the manifest's input). */
    height: z.number().int().positive(),
    width: z.number().int().positive(),
    method: z.enum(["minmax", "percentile", "mse"]),
    percentile: z.number().gt(50).max(100).optional(),
  }),
  /** Passes of bias correction and the median channel shift each removed (lib/model/quantize.ts). */
  biasCorrection: z.object({ passes: z.number().int().positive(), medianShift: z.array(z.number()) }).optional(),
  /** Weight-bearing nodes left in float. */
  floatNodes: z.array(z.string()),
  /** The exact float rewrites applied before quantizing. */
  graphRewrites: z.array(z.string()),
  tool: z.string().min(1),
  date: z.string().min(1),
});

/** What `npm run calibrate-colours` did to a class model (lib/model/colour-calibration.ts). */
const colourCalibrationSchema = z.object({
  method: z.literal("colour-marginal"),
  /** The annealed-mean temperature the bias was fitted at: it holds for that temperature. */
  temperature: z.number().finite().positive(),
  /** The model this file was calibrated from. */
  source: sourceModelSchema,
  /** Photo folders as given to the command, with how many photos fitted the bias and how many checked it. */
  images: z.array(z.string().min(1)).min(1),
  photos: z.object({ fit: z.number().int().positive(), heldOut: z.number().int().min(0) }),
  pixelsPerPhoto: z.number().int().positive(),
  iterations: z.number().int().positive(),
  learningRate: z.number().finite().positive(),
  penalty: z.number().finite().min(0),
  /** KL(decoded ‖ real) of the soft colour histograms, nats, before and after. */
  divergence: z.object({ fitBefore: z.number(), fitAfter: z.number(), heldOutBefore: z.number().optional(), heldOutAfter: z.number().optional() }),
  largestBias: z.number().finite(),
  /** The fitted bias per bin, in logit units, as folded into the model (so its output is the source's plus this). */
  bias: z.array(z.number().finite()).min(1),
  tool: z.string().min(1),
  date: z.string().min(1),
});

export const manifestSchema = z
  .object({
    schemaVersion: z.literal(1),
    name: z.string().min(1),
    description: z.string().optional(),
    /** The ONNX file, relative to the manifest's folder (or absolute). */
    file: z.string().min(1),
    input: z.object({
      name: z.string().min(1),
      layout: layoutSchema,
      height: z.number().int().positive(),
      width: z.number().int().positive(),
      lNormalization: z.object({ offset: z.number().finite(), scale: z.number().finite().refine((s) => s !== 0, "scale must not be 0") }),
    }),
    output: z.object({
      name: z.string().min(1),
      kind: z.enum(["logits", "probabilities", "ab"]),
      stride: z.number().int().positive(),
      layout: layoutSchema.optional(),
      abScale: z.number().finite().positive().optional(),
    }),
    bins: z
      .discriminatedUnion("source", [
        z.object({ source: z.literal("grid10-in-gamut") }),
        z.object({
          source: z.literal("inline"),
          centres: z.array(z.tuple([z.number().finite(), z.number().finite()])).min(1),
        }),
      ])
      .optional(),
    decoding: z.object({ temperature: z.number().finite().min(0) }).optional(),
    training: z.record(z.string(), z.unknown()).optional(),
    quantization: quantizationSchema.optional(),
    colourCalibration: colourCalibrationSchema.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.output.kind !== "ab" && !m.bins) {
      ctx.addIssue({ code: "custom", path: ["bins"], message: `bins are required when output.kind is "${m.output.kind}"` });
    }
    if (m.colourCalibration && m.output.kind === "ab") {
      ctx.addIssue({ code: "custom", path: ["colourCalibration"], message: "a colour calibration concerns class outputs (logits or probabilities), not ab" });
    }
    if (m.input.height % m.output.stride !== 0 || m.input.width % m.output.stride !== 0) {
      ctx.addIssue({ code: "custom", path: ["output", "stride"], message: "input height and width must be multiples of output.stride" });
    }
  });

export type ModelManifest = z.infer<typeof manifestSchema>;

/** A validated manifest with resolved paths and the derived numbers every caller needs. */
export interface ResolvedManifest {
  manifest: ModelManifest;
  manifestPath: string;
  modelPath: string;
  inputLayout: "NCHW" | "NHWC";
  outputLayout: "NCHW" | "NHWC";
  inputHeight: number;
  inputWidth: number;
  outputHeight: number;
  outputWidth: number;
  /** Output channels: the bin count for logits/probabilities, 2 for ab. */
  outputChannels: number;
  /** Interleaved [a, b] bin centres (empty for kind "ab"). */
  centres: Float32Array;
  defaultTemperature: number;
  abScale: number;
  /** For a quantized model: the float file it was quantized from (resolved); else null. */
  quantizedFrom: string | null;
}

/** Validate a parsed manifest object; `manifestPath` resolves the relative model file. */
export function resolveManifest(raw: unknown, manifestPath: string): ResolvedManifest {
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new ModelError("manifest_invalid", `Model manifest ${manifestPath} is invalid: ${problems}`);
  }
  const m = parsed.data;
  const centres =
    m.output.kind === "ab" ? new Float32Array(0) : m.bins?.source === "inline" ? centresFromPairs(m.bins.centres) : AB_BINS;
  return {
    manifest: m,
    manifestPath: resolve(manifestPath),
    modelPath: isAbsolute(m.file) ? m.file : resolve(dirname(manifestPath), m.file),
    inputLayout: m.input.layout,
    outputLayout: m.output.layout ?? m.input.layout,
    inputHeight: m.input.height,
    inputWidth: m.input.width,
    outputHeight: m.input.height / m.output.stride,
    outputWidth: m.input.width / m.output.stride,
    outputChannels: m.output.kind === "ab" ? 2 : centres.length / 2,
    centres,
    defaultTemperature: m.decoding?.temperature ?? DEFAULT_TEMPERATURE,
    abScale: m.output.abScale ?? 1,
    quantizedFrom: m.quantization ? (isAbsolute(m.quantization.source.file) ? m.quantization.source.file : resolve(dirname(manifestPath), m.quantization.source.file)) : null,
  };
}

/**
 * Read and validate a manifest file and check that its model file exists.
 * @throws ModelError manifest_not_found | manifest_invalid | model_not_found
 */
export async function loadManifest(manifestPath: string): Promise<ResolvedManifest> {
  let text: string;
  try {
    text = await readFile(manifestPath, "utf8");
  } catch (error) {
    throw new ModelError(
      "manifest_not_found",
      `Model manifest not found: ${manifestPath} (train and export a model, or pass another manifest; see docs/colorizer.md)`,
      { cause: error },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModelError("manifest_invalid", `Model manifest ${manifestPath} is not valid JSON: ${(error as Error).message}`);
  }
  const resolved = resolveManifest(raw, manifestPath);
  const info = await stat(resolved.modelPath).catch(() => null);
  if (!info?.isFile()) {
    throw new ModelError(
      "model_not_found",
      `Model file not found: ${resolved.modelPath} (named by ${manifestPath}). Train or export it first (see docs/colorizer.md).`,
    );
  }
  return resolved;
}
