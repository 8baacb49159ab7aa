/**
 * Colour-marginal calibration of a class-output colorizer: one additive bias per ab bin, fitted so
 * that the colours the model paints (after annealed-mean decoding) are distributed over the ab
 * plane as the colours of real photos are.
 *
 * Why: a model trained on few samples gets each pixel's distribution over the 313 bins roughly
 * right in shape but wrong in its marginal: pooled over many photos, it paints some hues far more
 * often than photographs have them (brass and trucks red, grass a yellow just short of green) and
 * others far less. Class rebalancing (paper Sec. 2.2) and logit adjustment move the whole
 * distribution along one direction, the prior; this fit moves each bin on its own, against the
 * measured marginal of real photos. It is post-hoc recalibration under a known label marginal
 * (Saerens, Latinne & Decaestecker, Neural Computation 2002, who re-weight a classifier's posterior
 * towards new priors), done on the decoded colours rather than on the posterior because the
 * annealed mean, not the posterior, is what a rater sees.
 *
 * The fit. For pixel i with logits z_i and bias b, the decoded colour is
 *   ab_i(b) = Σ_q s_iq c_q,   s_i = softmax((z_i + b) / T)   (annealed mean, Eq. 5 of the paper),
 * and a colour's soft histogram is a Gaussian kernel over the bin centres (σ = 5, the paper's
 * soft-encoding kernel), u_j(ab) ∝ exp(−|ab − c_j|² / 2σ²). With r the mean soft histogram of the
 * real colours and h(b) that of the decoded ones, it minimises
 *   KL(h(b) ‖ r) + (λ / 2) · mean_q b_q²
 * by Adam on the exact gradient:
 *   ∂KL/∂ab_i = (1/N) Σ_j (log(h_j / r_j) + 1) u_ij (g_ij − ḡ_i),  g_ij = (c_j − ab_i) / σ², ḡ_i = Σ_j u_ij g_ij,
 *   ∂ab_i/∂b_q = s_iq (c_q − ab_i) / T.
 * KL(h ‖ r), not KL(r ‖ h): it charges the model for painting colours real photos rarely have,
 * but not for leaving out some that they have. The other direction must cover every real colour,
 * so it made the shipped model paint more saturated colours than the photos have (colourfulness
 * 46.6 against 42.0 on Imagenette validation photos, and raw AuC 87.3 against 88.4 with this one;
 * docs/training.md).
 * The bias is in logit units, so it folds exactly into the bias of the Conv that produces the
 * logits (or, for probabilities, multiplies them by e^b): the calibrated model costs nothing more
 * to run. It holds for the temperature it was fitted at.
 */
import type { ParsedOnnxModel } from "./onnx-reader";
import { freshNames, serializeModel } from "./graph-transforms";
import type { NodeSpec, TensorSpec } from "./onnx-writer";

/** The soft-histogram kernel's σ in ab units: the paper's soft-encoding σ (Sec. 2.2). */
export const HISTOGRAM_SIGMA = 5;
/** Kernel values beyond 4σ (e^−8 ≈ 3·10⁻⁴ of the centre) are left out. */
const KERNEL_RADIUS = 4 * HISTOGRAM_SIGMA;
/** Mixed into both histograms so that KL stays finite where one of them has no mass. */
const HISTOGRAM_FLOOR = 1e-3;

/** The default λ of the bias penalty (see {@link ColourBiasOptions.penalty}). */
export const DEFAULT_PENALTY = 0.3;

/** Pixels for the fit: each one's logits (pixel-major, Q per pixel) and its real colour. */
export interface ColourSamples {
  /** `pixels × Q` logits, pixel-major (for a probabilities model: their logarithms). */
  logits: Float32Array;
  /** `pixels × 2` real a, b. */
  ab: Float32Array;
  pixels: number;
}

export interface ColourBiasOptions {
  /** Annealed-mean temperature the model is decoded with. */
  temperature: number;
  /** Adam steps (default 200). */
  iterations?: number;
  /** Adam step size in logit units (default 0.05). */
  learningRate?: number;
  /**
   * λ of the penalty (λ/2)·mean b², which keeps bins the data do not constrain near 0 and sets how
   * far the fit goes: smaller λ follows the real marginal more closely (hue shares) at the cost of
   * more saturated mistakes (raw AuC). Default 0.3, chosen on validation photos (docs/training.md).
   */
  penalty?: number;
}

export interface ColourBiasFit {
  /** One bias per bin, in logit units. */
  bias: Float32Array;
  /** KL(decoded ‖ real) of the soft histograms on the fitted pixels, before (b = 0) and after. */
  divergenceBefore: number;
  divergenceAfter: number;
  iterations: number;
}

/** The geometry every pass needs: bin centres split by axis and, per bin, an upper bound on the kernel's neighbours. */
interface Bins {
  q: number;
  ca: Float64Array;
  cb: Float64Array;
  /** Most bins any colour can have within the kernel radius. */
  maxNeighbours: number;
}

function binsOf(centres: Float32Array): Bins {
  const q = centres.length / 2;
  if (!Number.isInteger(q) || q < 2) throw new RangeError("centres must hold at least two [a, b] pairs");
  const ca = new Float64Array(q), cb = new Float64Array(q);
  for (let k = 0; k < q; k++) {
    ca[k] = centres[2 * k]!;
    cb[k] = centres[2 * k + 1]!;
  }
  // The bins within R of a colour lie within 2R of each other, so within 2R of any one of them.
  let maxNeighbours = 1;
  for (let k = 0; k < q; k++) {
    let n = 0;
    for (let j = 0; j < q; j++) if ((ca[j]! - ca[k]!) ** 2 + (cb[j]! - cb[k]!) ** 2 <= (2 * KERNEL_RADIUS) ** 2) n++;
    maxNeighbours = Math.max(maxNeighbours, n);
  }
  return { q, ca, cb, maxNeighbours };
}

/**
 * The kernel of one colour: writes the neighbouring bins' indices and normalized weights from
 * `at`, returns how many. A colour farther than the radius from every bin (outside the gamut the
 * bins cover) goes to its nearest bin.
 */
function kernelOf(a: number, b: number, bins: Bins, index: Int32Array, weight: Float64Array, at: number): number {
  const { q, ca, cb } = bins;
  const inv2s2 = 1 / (2 * HISTOGRAM_SIGMA * HISTOGRAM_SIGMA);
  let n = 0, total = 0, nearest = 0, nearestD2 = Infinity;
  for (let j = 0; j < q; j++) {
    const da = a - ca[j]!;
    if (da > KERNEL_RADIUS || da < -KERNEL_RADIUS) continue;
    const db = b - cb[j]!;
    const d2 = da * da + db * db;
    if (d2 < nearestD2) {
      nearestD2 = d2;
      nearest = j;
    }
    if (d2 > KERNEL_RADIUS * KERNEL_RADIUS) continue;
    const w = Math.exp(-d2 * inv2s2);
    index[at + n] = j;
    weight[at + n] = w;
    total += w;
    n++;
  }
  if (n === 0) {
    // Outside the band scanned above: search every bin.
    if (nearestD2 === Infinity) {
      for (let j = 0; j < q; j++) {
        const d2 = (a - ca[j]!) ** 2 + (b - cb[j]!) ** 2;
        if (d2 < nearestD2) {
          nearestD2 = d2;
          nearest = j;
        }
      }
    }
    index[at] = nearest;
    weight[at] = 1;
    return 1;
  }
  for (let k = 0; k < n; k++) weight[at + k]! /= total;
  return n;
}

/** The mean soft histogram of `pixels` colours (interleaved ab), floored (see HISTOGRAM_FLOOR). */
export function softHistogram(ab: Float32Array, pixels: number, centres: Float32Array): Float64Array {
  const bins = binsOf(centres);
  const index = new Int32Array(bins.maxNeighbours);
  const weight = new Float64Array(bins.maxNeighbours);
  const h = new Float64Array(bins.q);
  for (let i = 0; i < pixels; i++) {
    const n = kernelOf(ab[2 * i]!, ab[2 * i + 1]!, bins, index, weight, 0);
    for (let k = 0; k < n; k++) h[index[k]!]! += weight[k]!;
  }
  return floored(h, pixels);
}

function floored(h: Float64Array, pixels: number): Float64Array {
  const q = h.length;
  for (let j = 0; j < q; j++) h[j] = (1 - HISTOGRAM_FLOOR) * (h[j]! / Math.max(pixels, 1)) + HISTOGRAM_FLOOR / q;
  return h;
}

/** KL(p ‖ q) in nats of two histograms with no zero in q. */
export function klDivergence(p: Float64Array, q: Float64Array): number {
  let kl = 0;
  for (let j = 0; j < p.length; j++) if (p[j]! > 0) kl += p[j]! * Math.log(p[j]! / q[j]!);
  return kl;
}

/**
 * Annealed-mean colours of the samples under `bias` (into `out` when given), and each pixel's
 * decoding weights when `weights` is given: the backward pass needs both, which is why this does
 * not call lib/model/annealed-mean.ts.
 */
function decodeAll(samples: ColourSamples, bins: Bins, bias: Float64Array, temperature: number, weights?: Float32Array, out = new Float32Array(2 * samples.pixels)): Float32Array {
  const { q, ca, cb } = bins;
  const row = new Float64Array(q);
  const invT = 1 / temperature;
  const z = samples.logits;
  for (let i = 0; i < samples.pixels; i++) {
    const base = i * q;
    let max = -Infinity;
    for (let k = 0; k < q; k++) {
      const v = (z[base + k]! + bias[k]!) * invT;
      row[k] = v;
      if (v > max) max = v;
    }
    let sum = 0, a = 0, b = 0;
    for (let k = 0; k < q; k++) {
      const e = Math.exp(row[k]! - max);
      row[k] = e;
      sum += e;
      a += e * ca[k]!;
      b += e * cb[k]!;
    }
    out[2 * i] = a / sum;
    out[2 * i + 1] = b / sum;
    if (weights) for (let k = 0; k < q; k++) weights[base + k] = row[k]! / sum;
  }
  return out;
}

function checkSamples(samples: ColourSamples, q: number): void {
  if (samples.pixels < 1) throw new RangeError("no pixels to calibrate on");
  if (samples.logits.length !== samples.pixels * q) throw new RangeError(`logits hold ${samples.logits.length} values, expected ${samples.pixels} pixels × ${q} bins`);
  if (samples.ab.length !== 2 * samples.pixels) throw new RangeError(`ab holds ${samples.ab.length} values, expected 2 × ${samples.pixels}`);
}

/** KL(decoded ‖ real) of the samples' soft histograms when decoded with `bias` (zeros when absent). */
export function colourDivergence(samples: ColourSamples, centres: Float32Array, temperature: number, bias?: Float32Array): number {
  const bins = binsOf(centres);
  checkSamples(samples, bins.q);
  const decoded = decodeAll(samples, bins, Float64Array.from(bias ?? new Float32Array(bins.q)), temperature);
  return klDivergence(softHistogram(decoded, samples.pixels, centres), softHistogram(samples.ab, samples.pixels, centres));
}

type ColourObjective = (bias: Float64Array) => { value: number; divergence: number; gradient: Float64Array };

/** The objective and its gradient with respect to the bias (see the module comment). */
export function colourObjective(samples: ColourSamples, centres: Float32Array, bias: Float64Array, temperature: number, penalty: number): ReturnType<ColourObjective> {
  return colourObjectiveFor(samples, centres, temperature, penalty)(bias);
}

/**
 * The objective as a function of the bias alone. The target histogram and the per-pixel buffers
 * (`pixels × bins` decoding weights, the kernels) are made once, not at every step of the fit.
 */
function colourObjectiveFor(samples: ColourSamples, centres: Float32Array, temperature: number, penalty: number): ColourObjective {
  const bins = binsOf(centres);
  checkSamples(samples, bins.q);
  const { q, ca, cb, maxNeighbours } = bins;
  const N = samples.pixels;
  const target = softHistogram(samples.ab, N, centres);
  const weights = new Float32Array(N * q);
  const decoded = new Float32Array(2 * N);
  // Kernel of every decoded colour, kept for the backward pass.
  const index = new Int32Array(N * maxNeighbours);
  const kernel = new Float64Array(N * maxNeighbours);
  const count = new Int32Array(N);
  return (bias) => {
    decodeAll(samples, bins, bias, temperature, weights, decoded);
    const h = new Float64Array(q);
    for (let i = 0; i < N; i++) {
      const at = i * maxNeighbours;
      count[i] = kernelOf(decoded[2 * i]!, decoded[2 * i + 1]!, bins, index, kernel, at);
      for (let k = 0; k < count[i]!; k++) h[index[at + k]!]! += kernel[at + k]!;
    }
    floored(h, N);
    const divergence = klDivergence(h, target);

    // ∂KL/∂h_j = log(h_j / r_j) + 1; the floor scales the raw histogram by (1 − floor) / N.
    const dh = new Float64Array(q);
    for (let j = 0; j < q; j++) dh[j] = (Math.log(h[j]! / target[j]!) + 1) * ((1 - HISTOGRAM_FLOOR) / N);
    const gradient = new Float64Array(q);
    const inv2 = 1 / (HISTOGRAM_SIGMA * HISTOGRAM_SIGMA);
    const invT = 1 / temperature;
    for (let i = 0; i < N; i++) {
      const a = decoded[2 * i]!, b = decoded[2 * i + 1]!;
      const at = i * maxNeighbours;
      // ∂u_j/∂ab = u_j (g_j − ḡ); g_j = (c_j − ab) / σ².
      let gA = 0, gB = 0, wu = 0, wuA = 0, wuB = 0;
      for (let k = 0; k < count[i]!; k++) {
        const j = index[at + k]!, u = kernel[at + k]!;
        const ga = (ca[j]! - a) * inv2, gb = (cb[j]! - b) * inv2;
        gA += u * ga;
        gB += u * gb;
        wu += dh[j]! * u;
        wuA += dh[j]! * u * ga;
        wuB += dh[j]! * u * gb;
      }
      const dA = wuA - wu * gA, dB = wuB - wu * gB;
      if (dA === 0 && dB === 0) continue;
      const base = i * q;
      for (let k = 0; k < q; k++) gradient[k]! += weights[base + k]! * invT * ((ca[k]! - a) * dA + (cb[k]! - b) * dB);
    }
    let norm = 0;
    for (let k = 0; k < q; k++) {
      norm += bias[k]! * bias[k]!;
      gradient[k]! += (penalty * bias[k]!) / q;
    }
    return { value: divergence + (penalty / 2) * (norm / q), divergence, gradient };
  };
}

/** Fit the per-bin bias by Adam (Kingma & Ba 2015, default β 0.9 / 0.999). */
export function fitColourBias(samples: ColourSamples, centres: Float32Array, options: ColourBiasOptions): ColourBiasFit {
  const { temperature } = options;
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new RangeError(`temperature must be a positive number, got ${temperature}`);
  const iterations = options.iterations ?? 200;
  const rate = options.learningRate ?? 0.05;
  const penalty = options.penalty ?? DEFAULT_PENALTY;
  const q = centres.length / 2;
  const objective = colourObjectiveFor(samples, centres, temperature, penalty);
  const bias = new Float64Array(q);
  const m = new Float64Array(q), v = new Float64Array(q);
  let divergenceBefore = NaN;
  for (let t = 1; t <= iterations; t++) {
    const { divergence, gradient } = objective(bias);
    if (t === 1) divergenceBefore = divergence;
    for (let k = 0; k < q; k++) {
      m[k] = 0.9 * m[k]! + 0.1 * gradient[k]!;
      v[k] = 0.999 * v[k]! + 0.001 * gradient[k]! * gradient[k]!;
      bias[k]! -= (rate * (m[k]! / (1 - 0.9 ** t))) / (Math.sqrt(v[k]! / (1 - 0.999 ** t)) + 1e-12);
    }
  }
  const fitted = Float32Array.from(bias);
  return { bias: fitted, divergenceBefore, divergenceAfter: colourDivergence(samples, centres, temperature, fitted), iterations };
}

/**
 * The model with `bias` added to its output `outputName` (channel axis 1 for NCHW, 3 for NHWC):
 * folded into the bias of the Conv that produces a logits output when that bias is read by nothing
 * else, otherwise an Add (logits) or a Mul by e^bias (probabilities) after the output.
 */
export function withOutputBias(
  model: ParsedOnnxModel,
  outputName: string,
  kind: "logits" | "probabilities",
  layout: "NCHW" | "NHWC",
  bias: Float32Array,
): Uint8Array {
  const producer = model.nodes.find((n) => n.outputs.includes(outputName));
  if (!producer) throw new Error(`no node produces the output ${outputName}`);
  let nodes: NodeSpec[] = model.nodes;
  let initializers: TensorSpec[] = model.initializers;
  const biasName = producer.opType === "Conv" ? producer.inputs[2] : undefined;
  const convBias = biasName ? model.initializers.find((t) => t.name === biasName) : undefined;
  const readers = biasName ? model.nodes.filter((n) => n.inputs.includes(biasName)).length : 0;
  if (kind === "logits" && convBias && readers === 1 && layout === "NCHW" && convBias.values instanceof Float32Array && convBias.values.length === bias.length) {
    const folded = Float32Array.from(convBias.values, (v, k) => v + bias[k]!);
    initializers = model.initializers.map((t) => (t === convBias ? { ...t, values: folded } : t));
  } else {
    const fresh = freshNames(model);
    const before = fresh(`${outputName}_uncalibrated`), constant = fresh(`${outputName}_colour_calibration`);
    const dims = layout === "NCHW" ? [1, bias.length, 1, 1] : [1, 1, 1, bias.length];
    const values = kind === "logits" ? bias : Float32Array.from(bias, Math.exp);
    nodes = [
      ...model.nodes.map((n) => (n === producer ? { ...n, outputs: n.outputs.map((o) => (o === outputName ? before : o)) } : n)),
      { opType: kind === "logits" ? "Add" : "Mul", inputs: [before, constant], outputs: [outputName], name: `${outputName}_colour_calibration` },
    ];
    initializers = [...model.initializers, { name: constant, dims, values }];
  }
  return serializeModel({ ...model, nodes, initializers }, "colorization-colour-calibration");
}
