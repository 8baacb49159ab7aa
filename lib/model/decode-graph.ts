/**
 * The annealed mean (lib/model/annealed-mean.ts) as a tiny ONNX graph run by onnxruntime, so that
 * the 313 × h × w exponentials use its vectorized, multi-threaded Softmax instead of a scalar loop:
 *
 *   logits [N,Q,h,w] (NCHW) → Transpose → [N,h,w,Q]            (NHWC input skips the transpose)
 *   (probabilities: → Log)  → Mul(1/T) → Softmax(last axis) → MatMul(centres [Q,2]) → ab [N,h,w,2]
 *
 * i.e. f_T(z) = softmax(log z / T) and H = Σ f_T · centre (paper Eq. 5), with 1/T an input so one
 * session serves every temperature. The output is pixel-interleaved ab, the layout the pipeline
 * uses. T = 0 (the exact mode) stays with the JS decoder. Results agree with the float64 JS
 * decoder to float32 precision (test/model/decode-graph.test.ts).
 */
import * as ort from "onnxruntime-node";
import { AB_BINS } from "./ab-bins";
import type { DistributionKind } from "./annealed-mean";
import { buildOnnxModel, type NodeSpec } from "./onnx-writer";

export type TensorLayout = "NCHW" | "NHWC";

/** Build the decoding graph for the given bin centres (interleaved [a, b] pairs). */
export function buildAnnealedMeanGraph(centres: Float32Array, layout: TensorLayout, kind: DistributionKind): Uint8Array {
  const q = centres.length / 2;
  const nodes: NodeSpec[] = [];
  let current = "distribution";
  if (layout === "NCHW") {
    nodes.push({ opType: "Transpose", inputs: [current], outputs: ["nhwc"], attributes: { perm: [0, 2, 3, 1] } });
    current = "nhwc";
  }
  if (kind === "probabilities") {
    nodes.push({ opType: "Log", inputs: [current], outputs: ["log_p"] });
    current = "log_p";
  }
  nodes.push(
    { opType: "Mul", inputs: [current, "inv_t"], outputs: ["scaled"] },
    { opType: "Softmax", inputs: ["scaled"], outputs: ["weights"], attributes: { axis: -1 } },
    { opType: "MatMul", inputs: ["weights", "centres"], outputs: ["ab"] },
  );
  const inDims = layout === "NCHW" ? ["N", q, "H", "W"] : ["N", "H", "W", q];
  return buildOnnxModel({
    name: "annealed_mean",
    nodes,
    initializers: [{ name: "centres", dims: [q, 2], values: centres }],
    inputs: [
      { name: "distribution", dims: inDims },
      { name: "inv_t", dims: [1] },
    ],
    outputs: [{ name: "ab", dims: ["N", "H", "W", 2] }],
  });
}

export interface AnnealedMeanDecoder {
  /**
   * Decode a whole output tensor (all N images) at temperature T > 0.
   * @returns interleaved ab, N × h × w × 2 values, image after image.
   */
  decode(values: Float32Array, dims: readonly number[], temperature: number): Promise<Float32Array>;
}

const decoders = new Map<string, Promise<AnnealedMeanDecoder>>();

/** A cached onnxruntime decoder (CPU) for these centres, layout and kind. */
export function getAnnealedMeanDecoder(
  centres: Float32Array,
  layout: TensorLayout,
  kind: DistributionKind,
  intraOpNumThreads: number,
): Promise<AnnealedMeanDecoder> {
  const centresKey = centres === AB_BINS ? "grid10" : Array.from(centres).join(",");
  const key = `${kind}|${layout}|${intraOpNumThreads}|${centresKey}`;
  let pending = decoders.get(key);
  if (!pending) {
    pending = (async () => {
      const session = await ort.InferenceSession.create(buildAnnealedMeanGraph(centres, layout, kind), {
        executionProviders: ["cpu"],
        graphOptimizationLevel: "all",
        intraOpNumThreads,
        logSeverityLevel: 3,
      });
      return {
        async decode(values, dims, temperature) {
          if (!(temperature > 0) || !Number.isFinite(temperature)) throw new RangeError(`temperature must be > 0, got ${temperature}`);
          const out = await session.run({
            distribution: new ort.Tensor("float32", values, [...dims]),
            inv_t: new ort.Tensor("float32", Float32Array.of(1 / temperature), [1]),
          });
          return out.ab!.data as Float32Array;
        },
      };
    })();
    decoders.set(key, pending);
    pending.catch(() => decoders.delete(key));
  }
  return pending;
}
