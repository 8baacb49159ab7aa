"""The 313 quantized ab classes, soft encoding, class prior and rebalancing weights.

Paper, Sec. 2.1: "We quantize the ab output space into bins with grid size 10 and keep the
Q = 313 values which are in-gamut"; soft encoding over the 5 nearest neighbours with a Gaussian
kernel sigma = 5; class rebalancing w ∝ ((1 - λ) p̃ + λ / Q)^-1 with λ = 1/2, normalized so that
E_p̃[w] = Σ p̃ w = 1, p̃ the empirical distribution smoothed with a Gaussian (sigma = 5).
"""
import json
import os

import numpy as np
import torch

from .color import lab_to_linear_rgb_np

GRID_STEP = 10  # paper: "grid size 10"
SIGMA = 5.0  # paper: Gaussian kernel sigma = 5 (soft encoding and prior smoothing)
N_NEIGHBOURS = 5  # paper: 5 nearest neighbours (the released code uses 10)
LAMBDA = 0.5  # paper: λ = 1/2 ("full"); λ = 1 gives uniform weights ("class")
NUM_BINS = 313

REFERENCE_FILE = os.environ.get(
    "COLORIZATION_REFERENCE_BINS",
    os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets", "reference", "ab-bins-and-prior.json"),
)


def load_reference(path=REFERENCE_FILE):
    """Reference bins and ImageNet prior of the released model, or None if not present."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        data = json.load(f)
    return np.asarray(data["ab_bins"], dtype=np.float64), np.asarray(data["imagenet_prior"], dtype=np.float64)


GRID_RANGE = 120  # candidate centres a, b in -120..120 (|a|, |b| of sRGB colours stay below 110)

# The released 313-entry table (pts_in_hull.npy) is not a pure sRGB-gamut computation: it was
# taken from ImageNet statistics. Measured here (see docs/training.md, "The 313 bins"):
#   - exactly 262 grid cells [a-5, a+5] x [b-5, b+5] contain a Lab colour (any L in 0..100) that
#     maps inside sRGB; all 262 are in the release;
#   - the other 51 released bins are all edge-neighbours (4-neighbourhood) of those cells: the
#     cells that the soft encoding over the 5 nearest centres reaches from in-gamut colours (the
#     5 nearest grid centres of a point near a centre are that centre and its 4 edge-neighbours);
#   - that 4-neighbour dilation has 324 cells; the release lacks the 11 below (cells at the most
#     saturated green/blue/magenta corners that ImageNet pixels did not reach).
# No single geometric rule tried (cell size 0..15, convex hull with margins, RGB tolerance,
# k-NN support of sRGB for k = 1..5, other RGB primaries) gives exactly 313.
NOT_IN_RELEASE = (
    (-100, 80), (-90, 40), (-70, 100), (-60, 100), (20, -90), (70, -120),
    (80, -120), (80, 80), (110, -70), (110, -60), (110, -50),
)


def in_gamut_cells(n_l=101, n_ab=11):
    """Grid-10 centres whose cell [c-5, c+5]^2 holds some Lab colour (L in 0..100) inside sRGB.

    Sampled on L = 0..100 (n_l levels) and n_ab x n_ab points of the cell (1 ab unit apart at the
    default); the result (262 cells) is the same for n_l in {101, 201} and n_ab in {3, 11, 21}.
    """
    half = GRID_STEP / 2.0
    offs = np.linspace(-half, half, n_ab)
    Ls = np.linspace(0.0, 100.0, n_l)
    keep = []
    for a in range(-GRID_RANGE, GRID_RANGE + 1, GRID_STEP):
        for b in range(-GRID_RANGE, GRID_RANGE + 1, GRID_STEP):
            A, Bb, L = np.meshgrid(a + offs, b + offs, Ls, indexing="ij")
            rgb = lab_to_linear_rgb_np(L.ravel(), A.ravel(), Bb.ravel())
            if np.any(np.all((rgb >= 0.0) & (rgb <= 1.0), axis=-1)):
                keep.append((a, b))
    return keep


_BINS = None


def ab_bins():
    """The 313 ab bin centres, (313, 2) float64, ordered by a ascending then b ascending
    ("grid10-in-gamut"): in-gamut cells, plus their edge-neighbours reached by the 5-nearest-bin
    soft encoding, minus NOT_IN_RELEASE. Equal to the released table (tested)."""
    global _BINS
    if _BINS is None:
        core = set(in_gamut_cells())
        step = GRID_STEP
        ring = {(a + da, b + db) for a, b in core for da, db in ((step, 0), (-step, 0), (0, step), (0, -step))}
        cells = sorted((core | ring) - set(NOT_IN_RELEASE))
        if len(cells) != NUM_BINS:
            raise RuntimeError(f"bin computation gave {len(cells)} bins, expected {NUM_BINS}")
        _BINS = np.asarray(cells, dtype=np.float64)
    return _BINS.copy()


def soft_encode(ab, centres, k=N_NEIGHBOURS, sigma=SIGMA):
    """Soft-encode ground-truth ab values over the bins (paper Sec. 2.1).

    ab: (B, 2, H, W) tensor in ab units; centres: (Q, 2) tensor.
    Returns (B, Q, H, W): Gaussian weights (sigma) on the k nearest bin centres, normalized to 1.
    """
    B, _, H, W = ab.shape
    flat = ab.permute(0, 2, 3, 1).reshape(-1, 2)
    d2 = torch.cdist(flat, centres.to(flat)) ** 2  # (N, Q)
    nd2, idx = torch.topk(d2, k, dim=1, largest=False)
    w = torch.exp(-nd2 / (2.0 * sigma ** 2))
    w = w / w.sum(dim=1, keepdim=True)
    out = torch.zeros_like(d2).scatter_(1, idx, w)
    return out.reshape(B, H, W, -1).permute(0, 3, 1, 2)


def nearest_bin(ab, centres):
    """Index of the nearest bin centre, (B, H, W) long."""
    B, _, H, W = ab.shape
    flat = ab.permute(0, 2, 3, 1).reshape(-1, 2)
    return torch.cdist(flat, centres.to(flat)).argmin(dim=1).reshape(B, H, W)


def smooth_prior(counts, centres, sigma=SIGMA):
    """Normalize bin counts and smooth them with a Gaussian over ab (sigma in ab units)."""
    c = np.asarray(centres, dtype=np.float64)
    p = np.asarray(counts, dtype=np.float64)
    p = p / p.sum()
    d2 = ((c[:, None, :] - c[None, :, :]) ** 2).sum(-1)
    kern = np.exp(-d2 / (2.0 * sigma ** 2))
    s = kern @ p
    return s / s.sum()


def rebalancing_weights(prior, lam=LAMBDA):
    """w ∝ ((1 - λ) p̃ + λ / Q)^-1, normalized so that Σ p̃ w = 1 (paper Eq. 3-4)."""
    p = np.asarray(prior, dtype=np.float64)
    q = p.shape[0]
    w = 1.0 / ((1.0 - lam) * p + lam / q)
    return w / (p * w).sum()
