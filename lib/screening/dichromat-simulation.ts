import { applyMatrix, type Matrix3, type Vector3 } from "./colour-science";

/** The three dichromacies: a missing L (protan), M (deutan) or S (tritan) cone class. */
export type ConfusionAxis = "protan" | "deutan" | "tritan";

export const CONFUSION_AXES: readonly ConfusionAxis[] = ["protan", "deutan", "tritan"];

/**
 * Dichromat simulation matrices of Machado, Oliveira & Fernandes (2009), "A physiologically-based
 * model for simulation of color vision deficiency", IEEE TVCG 15(6):1291–1298, severity 1.0 (full
 * dichromacy), from the authors' published table. They act on linear RGB with Rec. 709 / sRGB
 * primaries; each row sums to 1, so neutral greys are kept.
 *
 * They are an independent model of dichromacy — derived from shifted cone spectra and an
 * opponent-channel model, not from the Smith–Pokorny cone space the plates are built in — which
 * is what makes the simulated-observer test of the plates more than a restatement of their
 * construction. The protan and deutan matrices are (numerically) of rank 2, a true projection;
 * the tritan one is not (Machado et al. fit tritanopia less well, their §6), so a tritan plate
 * keeps a small residual contrast under it (docs/colour-vision-screening.md gives the figures).
 */
export const MACHADO_2009_DICHROMAT: Readonly<Record<ConfusionAxis, Matrix3>> = {
  protan: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deutan: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritan: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

/**
 * What a dichromat of `axis` sees for a linear sRGB colour, per Machado et al. (2009), clamped to
 * the display's [0, 1] (a simulated colour outside the gamut cannot be shown either).
 *
 * @example simulateDichromat("protan", [0.5, 0.5, 0.5]); // [0.5, 0.5, 0.5] (greys are kept)
 */
export function simulateDichromat(axis: ConfusionAxis, linearRgb: Vector3): [number, number, number] {
  const out = applyMatrix(MACHADO_2009_DICHROMAT[axis], linearRgb);
  return [clamp01(out[0]), clamp01(out[1]), clamp01(out[2])];
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}
